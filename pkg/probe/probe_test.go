package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func hostPort(t *testing.T, raw string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(strings.TrimPrefix(raw, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// The kubelet's httpGet outcomes: 2xx/3xx success, redirects on the same
// host followed, to another host a success, other codes and timeouts
// failures with its messages; its headers and user agent sent.
func TestHTTPGet(t *testing.T) {
	var gotUA, gotHeader, gotHost string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotHeader, gotHost = r.UserAgent(), r.Header.Get("X-Custom"), r.Host
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(200)
		case "/bad":
			w.WriteHeader(500)
		case "/here":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/away":
			http.Redirect(w, r, "http://192.0.2.1/x", http.StatusFound)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer srv.Close()
	host, port := hostPort(t, srv.URL)
	dial := Own("")
	get := func(path string, h ...Header) Result {
		return HTTPGet(context.Background(), dial, "http", host, port, path, h, 100*time.Millisecond)
	}
	if r := get("/ok", Header{Name: "X-Custom", Value: "v"}, Header{Name: "Host", Value: "example.com"}); !r.OK || gotUA != UserAgent || gotHeader != "v" || gotHost != "example.com" {
		t.Errorf("/ok: %+v, user agent %q, header %q, host %q", r, gotUA, gotHeader, gotHost)
	}
	if r := get("/bad"); r.OK || r.Message != "HTTP probe failed with statuscode: 500" {
		t.Errorf("/bad: %+v", r)
	}
	if r := get("/here"); !r.OK {
		t.Errorf("same-host redirect: %+v", r)
	}
	if r := get("/away"); !r.OK {
		t.Errorf("other-host redirect: %+v", r)
	}
	if r := get("/slow"); r.OK || !strings.Contains(r.Message, "Client.Timeout exceeded") {
		t.Errorf("/slow: %+v", r)
	}
	if r := get("/loop"); r.OK || !strings.Contains(r.Message, "stopped after 10 redirects") {
		t.Errorf("/loop: %+v", r)
	}
	if r := get("/ok", Header{Name: "X-Custom", Value: "v\r\nX-Injected: 1"}); r.OK || !strings.Contains(r.Message, "invalid header field value") {
		t.Errorf("a header value with a line break: %+v", r)
	}
}

// TestTLSNeedsHelper: without minipod-probe, HTTPS and gRPC probes fail
// saying so (after the connection, which is the monitor's to open), and a
// gRPC server that cannot be reached fails as the kubelet words it.
func TestTLSNeedsHelper(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	host, port := hostPort(t, l.Addr().String())
	ctx := context.Background()
	if r := HTTPGet(ctx, Own(""), "https", host, port, "/", nil, time.Second); r.OK || !strings.Contains(r.Message, "minipod-probe is not installed") {
		t.Errorf("https: %+v", r)
	}
	if r := GRPC(ctx, Own(""), host, port, "", false, time.Second); r.OK || !strings.Contains(r.Message, "minipod-probe is not installed") {
		t.Errorf("grpc: %+v", r)
	}
	l.Close()
	if r := GRPC(ctx, Own(""), host, port, "", false, time.Second); r.OK || !strings.HasPrefix(r.Message, "error: failed to connect service at") {
		t.Errorf("nothing listening: %+v", r)
	}
}

func TestTCP(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host, port := hostPort(t, l.Addr().String())
	if r := TCP(context.Background(), Own(""), host, port, time.Second); !r.OK {
		t.Errorf("open port: %+v", r)
	}
	l.Close()
	if r := TCP(context.Background(), Own(""), host, port, time.Second); r.OK || !strings.Contains(r.Message, "connection refused") {
		t.Errorf("closed port: %+v", r)
	}
}

// A hostile server in the pod: a header line that never ends, endless
// header lines, interim answers. The probe fails (or skips the 1xx)
// within its bounds instead of growing with what it is sent.
func TestHTTPGetHostileHead(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	answers := []string{
		"HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 64<<10),
		"HTTP/1.1 200 OK\r\n" + strings.Repeat("X: 1\r\n", 500) + "\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
	}
	go func() {
		for _, a := range answers {
			c, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte(a))
			c.Close()
		}
	}()
	host, port := hostPort(t, l.Addr().String())
	get := func() Result {
		return HTTPGet(context.Background(), Own(""), "http", host, port, "/", nil, time.Second)
	}
	if r := get(); r.OK || !strings.Contains(r.Message, "a line longer than 4096 bytes") {
		t.Errorf("endless header line: %+v", r)
	}
	if r := get(); r.OK || !strings.Contains(r.Message, "more than 100 header lines") {
		t.Errorf("endless headers: %+v", r)
	}
	if r := get(); !r.OK {
		t.Errorf("100 Continue then 204: %+v", r)
	}
}
