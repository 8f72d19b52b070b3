package tlsgrpc

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/probe"
	"github.com/minipod/minipod/pkg/probe/probereq"
)

// healthServer is a gRPC health service over HTTP/2 without TLS: the
// status per service name, Unimplemented for any other method.
func healthServer(t *testing.T, statuses map[string]byte) (string, int) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/grpc.health.v1.Health/Check", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		service := ""
		if len(body) > 7 {
			service = string(body[7:]) // frame header, tag 0x0a, one-byte length
		}
		st, ok := statuses[service]
		if r.Header.Get("Content-Type") != "application/grpc" || r.Header.Get("User-Agent") != probe.UserAgent {
			t.Errorf("request headers: %v", r.Header)
		}
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
		if !ok {
			w.WriteHeader(http.StatusOK)
			w.Header().Set("Grpc-Status", "5") // NotFound, as grpc-go's health server says
			w.Header().Set("Grpc-Message", "unknown service")
			return
		}
		msg := []byte{0x08, st}
		frame := make([]byte, 5)
		binary.BigEndian.PutUint32(frame[1:], uint32(len(msg)))
		_, _ = w.Write(append(frame, msg...))
		w.Header().Set("Grpc-Status", "0")
	})
	mux.Handle("/", unimplemented("unknown service grpc.health.v1.Health"))
	return serveH2C(t, mux)
}

// serveH2C serves h over HTTP/2 without TLS on a port of 127.0.0.1 until
// the test ends.
func serveH2C(t *testing.T, h http.Handler) (string, int) {
	t.Helper()
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: h, Protocols: &p}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	host, port, _ := net.SplitHostPort(l.Addr().String())
	n, _ := strconv.Atoi(port)
	return host, n
}

func TestGRPC(t *testing.T) {
	host, port := healthServer(t, map[string]byte{"": 1, "db": 2})
	if r := call(t, host, port, "", false, time.Second); !r.OK || r.Message != "service healthy" {
		t.Errorf("serving: %+v", r)
	}
	if r := call(t, host, port, "db", false, time.Second); r.OK || r.Message != `service unhealthy (responded with "NOT_SERVING")` {
		t.Errorf("not serving: %+v", r)
	}
	if r := call(t, host, port, "nope", false, time.Second); r.OK || !strings.Contains(r.Message, "health rpc probe failed") {
		t.Errorf("unknown service: %+v", r)
	}
}

func TestGRPCUnimplemented(t *testing.T) {
	host, port := unimplementedServer(t, "unknown service grpc.health.v1.Health")
	r := call(t, host, port, "", false, time.Second)
	if r.OK || !strings.HasPrefix(r.Message, "error: this server does not implement the grpc health protocol (grpc.health.v1.Health)") {
		t.Errorf("unimplemented: %+v", r)
	}
}

// unimplementedServer is an HTTP/2 server that knows no health service:
// every path answers Unimplemented, with msg as grpc-message.
func unimplementedServer(t *testing.T, msg string) (string, int) {
	t.Helper()
	return serveH2C(t, unimplemented(msg))
}

// unimplemented answers any call Unimplemented, with msg as grpc-message.
func unimplemented(msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Grpc-Status", grpcUnimplemented)
		w.Header().Set("Grpc-Message", msg)
	}
}

func TestServingStatusSkipsUnknownFields(t *testing.T) {
	msg := []byte{0x12, 0x02, 'h', 'i', 0x08, 0x01, 0x1d, 1, 2, 3, 4}
	frame := make([]byte, 5)
	binary.BigEndian.PutUint32(frame[1:], uint32(len(msg)))
	if st, err := servingStatus(append(frame, msg...)); err != nil || st != 1 {
		t.Errorf("servingStatus = %d, %v", st, err)
	}
	if _, err := servingStatus(append(frame, msg[:3]...)); err == nil {
		t.Error("a truncated message was accepted")
	}
}

// TestGRPCTLS: mode TLS speaks HTTP/2 over TLS and checks no certificate
// (httptest's is self-signed).
func TestGRPCTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			t.Errorf("protocol %s, want HTTP/2", r.Proto)
		}
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Trailer", "Grpc-Status")
		_, _ = w.Write([]byte{0, 0, 0, 0, 2, 0x08, 1})
		w.Header().Set("Grpc-Status", "0")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	n, _ := strconv.Atoi(port)
	if r := call(t, host, n, "", true, time.Second); !r.OK {
		t.Errorf("TLS: %+v", r)
	}
	if r := call(t, host, n, "", false, time.Second); r.OK {
		t.Errorf("plaintext against a TLS server succeeded: %+v", r)
	}
}

// call dials host:port and makes the check on that connection, as
// minipod-probe does on the one the monitor hands it.
func call(t *testing.T, host string, port int, service string, useTLS bool, timeout time.Duration) probe.Result {
	t.Helper()
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return healthCheck(ctx, conn, addr, service, useTLS, timeout)
}

// TestGRPCTimeout: a server that accepts and never answers fails the
// check when its timeout is over, with the kubelet's message.
func TestGRPCTimeout(t *testing.T) {
	host, port, _ := net.SplitHostPort(silentServer(t))
	n, _ := strconv.Atoi(port)
	if r := call(t, host, n, "", false, 200*time.Millisecond); r.OK || !strings.HasPrefix(r.Message, "timeout") {
		t.Errorf("%+v", r)
	}
}

// silentServer accepts connections and never answers; it returns its
// address.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return l.Addr().String()
}

// TestHugeMessageIsCut: a server's grpc-message is quoted in the result
// cut to MaxQuote, so that the result always fits what the monitor reads.
func TestHugeMessageIsCut(t *testing.T) {
	host, port := unimplementedServer(t, strings.Repeat("x", 200<<10))
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := Serve(probereq.Request{Op: probereq.OpGRPC, Within: 5 * time.Second, Addr: addr, Timeout: 5 * time.Second}, conn)
	if !strings.HasPrefix(r.Message, "error: this server does not implement") || len(r.Message) > probereq.MaxQuote+3 {
		t.Errorf("message of %d bytes: %.80q", len(r.Message), r.Message)
	}
}
