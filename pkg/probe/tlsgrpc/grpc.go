package tlsgrpc

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/minipod/minipod/pkg/probe"
)

// The gRPC health checking protocol (grpc.health.v1.Health/Check) spoken
// directly over HTTP/2, as the kubelet's grpc probe speaks it through
// grpc-go: one unary call whose request and response are each a single
// protobuf field, so a few bytes are encoded by hand here instead of
// linking a gRPC stack.

// healthStatus are HealthCheckResponse.ServingStatus's names.
var healthStatus = map[uint64]string{0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}

// gRPC status codes the kubelet tells apart.
const (
	grpcUnimplemented    = "12"
	grpcDeadlineExceeded = "4"
)

// healthCheck is the kubelet's grpc probe on conn, a connection to addr: Check
// for service ("" is the server's overall health), in plaintext or
// (useTLS) over TLS without certificate checks, SERVING a success, with
// the kubelet's messages otherwise; timeout is the probe's, which the
// caller's ctx carries.
func healthCheck(ctx context.Context, conn net.Conn, addr, service string, useTLS bool, timeout time.Duration) probe.Result {
	scheme := "http://"
	if useTLS {
		scheme = "https://"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, scheme+addr+"/grpc.health.v1.Health/Check", bytes.NewReader(grpcFrame(checkRequest(service))))
	if err != nil {
		return probe.Result{Message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	req.Header.Set("User-Agent", probe.UserAgent)
	req.Header.Set("Grpc-Timeout", strconv.FormatInt(max(timeout.Milliseconds(), 1), 10)+"m")
	resp, err := transport(conn, useTLS).RoundTrip(req)
	if err != nil {
		return probe.ConnectFailed(ctx, addr, timeout, err)
	}
	defer resp.Body.Close()
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, probe.MaxBody))
	status, msg := grpcStatus(resp)
	switch {
	case rerr != nil && errors.Is(ctx.Err(), context.DeadlineExceeded), status == grpcDeadlineExceeded:
		return probe.Result{Message: fmt.Sprintf("timeout: health rpc did not complete within %v", timeout)}
	case status == grpcUnimplemented:
		return probe.Result{Message: "error: this server does not implement the grpc health protocol (grpc.health.v1.Health): " + msg}
	case resp.StatusCode != http.StatusOK || rerr != nil || status != "0":
		return probe.Result{Message: fmt.Sprintf("error: health rpc probe failed: HTTP %d, grpc-status %q %s %v", resp.StatusCode, status, msg, rerr)}
	}
	served, err := servingStatus(body)
	if err != nil {
		return probe.Result{Message: "error: health rpc probe failed: " + err.Error()}
	}
	if served != 1 {
		return probe.Result{Message: fmt.Sprintf("service unhealthy (responded with %q)", healthStatus[served])}
	}
	return probe.Result{OK: true, Message: "service healthy"}
}

// transport speaks HTTP/2 only, on conn and no other connection: without
// TLS from the first byte (gRPC's plaintext mode), or over TLS without
// certificate checks.
func transport(conn net.Conn, useTLS bool) *http.Transport {
	var p http.Protocols
	p.SetUnencryptedHTTP2(!useTLS)
	p.SetHTTP2(useTLS)
	var once sync.Once
	dial := func(context.Context, string, string) (net.Conn, error) {
		var c net.Conn
		once.Do(func() { c = conn })
		if c == nil {
			return nil, errors.New("one connection per probe attempt")
		}
		return c, nil
	}
	return &http.Transport{
		DialContext:     dial,
		Protocols:       &p,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as the kubelet: probes do not check certificates
	}
}

// grpcStatus is the call's grpc-status and grpc-message, from the
// trailers, or from the headers of a trailers-only answer.
func grpcStatus(resp *http.Response) (string, string) {
	for _, h := range []http.Header{resp.Trailer, resp.Header} {
		if s := h.Get("Grpc-Status"); s != "" {
			return s, h.Get("Grpc-Message")
		}
	}
	return "", ""
}

// checkRequest encodes HealthCheckRequest{service}: field 1, a string.
func checkRequest(service string) []byte {
	if service == "" {
		return nil
	}
	b := []byte{0x0a}
	b = binary.AppendUvarint(b, uint64(len(service)))
	return append(b, service...)
}

// grpcFrame is a gRPC length-prefixed message, uncompressed.
func grpcFrame(msg []byte) []byte {
	out := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(out[1:], uint32(len(msg)))
	return append(out, msg...)
}

// servingStatus decodes the one framed HealthCheckResponse: field 1, an
// enum (varint); other fields are skipped as protobuf says.
func servingStatus(body []byte) (uint64, error) {
	if len(body) < 5 || body[0] != 0 {
		return 0, errors.New("no uncompressed response message")
	}
	size := binary.BigEndian.Uint32(body[1:5])
	if uint32(len(body)-5) < size {
		return 0, errors.New("truncated response message")
	}
	msg := body[5 : 5+size]
	var status uint64
	for len(msg) > 0 {
		key, n := binary.Uvarint(msg)
		if n <= 0 {
			return 0, errors.New("bad response message")
		}
		msg = msg[n:]
		switch key & 7 {
		case 0: // varint
			v, n := binary.Uvarint(msg)
			if n <= 0 {
				return 0, errors.New("bad response message")
			}
			if key>>3 == 1 {
				status = v
			}
			msg = msg[n:]
		case 2: // length-delimited
			l, n := binary.Uvarint(msg)
			if n <= 0 || uint64(len(msg)-n) < l {
				return 0, errors.New("bad response message")
			}
			msg = msg[n+int(l):]
		case 1:
			if len(msg) < 8 {
				return 0, errors.New("bad response message")
			}
			msg = msg[8:]
		case 5:
			if len(msg) < 4 {
				return 0, errors.New("bad response message")
			}
			msg = msg[4:]
		default:
			return 0, errors.New("bad response message")
		}
	}
	return status, nil
}
