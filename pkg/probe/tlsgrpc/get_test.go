package tlsgrpc

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/probe"
	"github.com/minipod/minipod/pkg/probe/probereq"
)

// TestGet: one GET over TLS, the server's certificate (self-signed)
// unchecked, the status and Location read; through Serve, as
// minipod-probe runs it, a deadline that ends the attempt says so.
func TestGet(t *testing.T) {
	var gotHost, gotHeader string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotHost, gotHeader = r.Host, r.Header.Get("X-Custom")
		switch r.URL.Path {
		case "/ok":
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "https://")
	get := func(path string) (int, string, error) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return httpsGet(context.Background(), conn, srv.URL+path, "example.test", []probe.Header{{Name: "X-Custom", Value: "v"}})
	}
	if code, _, err := get("/ok"); err != nil || code != 200 || gotHost != "example.test" || gotHeader != "v" {
		t.Errorf("/ok: %d %v (host %q, header %q)", code, err, gotHost, gotHeader)
	}
	if code, loc, err := get("/moved"); err != nil || code != 302 || loc != "/ok" {
		t.Errorf("/moved: %d %q %v", code, loc, err)
	}
	if code, _, err := get("/no"); err != nil || code != 404 {
		t.Errorf("/no: %d %v", code, err)
	}

	// A server that accepts and never answers: the handshake runs out of
	// time, and the result says it was the deadline.
	addr = silentServer(t)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := probereq.Request{Op: probereq.OpGet, Within: 200 * time.Millisecond, URL: "https://" + addr + "/"}
	if r := Serve(req, conn); !r.TimedOut || r.Error == "" {
		t.Errorf("silent server: %+v", r)
	}
}
