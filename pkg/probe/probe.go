package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/probe/probereq"
)

// Result is one attempt's outcome; Message says why it failed (or, for a
// success with something to note, what).
type Result struct {
	OK      bool
	Message string
}

// MaxBody is how much of a response the kubelet reads (10 KiB).
const MaxBody = 10 << 10

// UserAgent is the kubelet's probe user agent (kube-probe/<minor version>).
const UserAgent = "kube-probe/1.34"

// Header is one request header: the same type the minipod-probe program
// is handed, so that a request crosses to it as it is.
type Header = probereq.Header

// HTTPGet is the kubelet's httpGet probe: a GET, no keep-alive, HTTPS
// without certificate checks, redirects followed on the same host only (a
// redirect elsewhere is a success), 200-399 a success. The request is
// written and the answer's status line and headers read by hand on a
// connection of its own: Go's HTTP client (its pool, per-connection
// goroutines and buffers, and its code) would cost every pod's monitor
// more memory than the probe itself, for one request a period.
func HTTPGet(ctx context.Context, n *Net, scheme, host string, port int, path string, headers []Header, timeout time.Duration) Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: path}
	if p, err := url.Parse(path); err == nil { // keep a query string
		u.Path, u.RawQuery = p.Path, p.RawQuery
	}
	g := getRequest{url: u, host: u.Host}
	for _, h := range headers {
		if strings.EqualFold(h.Name, "Host") {
			g.host = h.Value
			continue
		}
		g.headers = append(g.headers, h)
	}
	first := u.Hostname()
	for redirects := 0; ; redirects++ {
		code, next, err := n.get(ctx, g)
		if err != nil {
			return Result{Message: clientError(ctx, g.url, err)}
		}
		switch {
		case next == nil && code >= 200 && code < 400:
			return Result{OK: true}
		case next == nil:
			return Result{Message: fmt.Sprintf("HTTP probe failed with statuscode: %d", code)}
		case next.Hostname() != first:
			return Result{OK: true, Message: "Probe terminated redirects"}
		case redirects == 9:
			return Result{Message: fmt.Sprintf("Get %q: stopped after 10 redirects", next.String())}
		}
		if next.Host != g.url.Host {
			g.host = next.Host
		}
		g.url = next
	}
}

// getRequest is one GET: its URL, Host header and other headers.
type getRequest struct {
	url     *url.URL
	host    string
	headers []Header
}

// check refuses what would break the request's framing, as Go's client
// refuses invalid header values: a line break in a header or the host.
func (g getRequest) check() error {
	bad := func(s string) bool { return strings.ContainsAny(s, "\r\n\x00") }
	if bad(g.host) {
		return fmt.Errorf("invalid Host header %q", g.host)
	}
	for _, h := range g.headers {
		if bad(h.Name) || bad(h.Value) {
			return fmt.Errorf("invalid header field value for %q", h.Name)
		}
	}
	return nil
}

// clientError words a failed request as Go's HTTP client does, which is
// what the kubelet's messages quote.
func clientError(ctx context.Context, u *url.URL, err error) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Sprintf("Get %q: context deadline exceeded (Client.Timeout exceeded while awaiting headers)", u.String())
	}
	return fmt.Sprintf("Get %q: %v", u.String(), err)
}

// get makes one request on a fresh connection and reads up to MaxBody of
// the answer; next is where a redirect sends it. Over TLS the request is
// made by the minipod-probe program (package probereq).
func (n *Net) get(ctx context.Context, g getRequest) (code int, next *url.URL, err error) {
	conn, err := n.dialURL(ctx, g.url)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	var loc string
	if g.url.Scheme == "https" {
		code, loc, err = n.getTLS(ctx, conn, g)
	} else {
		if d, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(d)
		}
		code, loc, err = g.exchange(conn)
	}
	if err != nil {
		return 0, nil, err
	}
	if loc != "" && isRedirect(code) {
		if to, err := g.url.Parse(loc); err == nil {
			return code, to, nil
		}
	}
	return code, nil, nil
}

// Exchange writes one GET of u to conn (Host header host) and reads the
// answer's status and Location, and up to MaxBody of its body: what the
// minipod-probe program does once it has TLS on the connection.
func Exchange(conn net.Conn, u *url.URL, host string, headers []Header) (code int, location string, err error) {
	return getRequest{url: u, host: host, headers: headers}.exchange(conn)
}

func (g getRequest) exchange(conn net.Conn) (code int, location string, err error) {
	if err := g.check(); err != nil {
		return 0, "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nConnection: close\r\n", g.url.RequestURI(), g.host, UserAgent)
	for _, h := range g.headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return 0, "", err
	}
	br := bufio.NewReaderSize(conn, maxHeadLine)
	code, loc, err := readHead(br)
	if err != nil {
		return 0, "", err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(br, MaxBody)) // as much as the kubelet reads
	return code, loc, nil
}

func isRedirect(code int) bool {
	return code == 301 || code == 302 || code == 303 || code == 307 || code == 308
}

// Bounds of an answer's head: a server in the pod is hostile, and a line
// it never ends or a head it never finishes must not grow the monitor.
const (
	maxHeadLine  = 4 << 10
	maxHeadLines = 100
)

// readHead reads the status line and the headers, keeping Location; an
// interim 1xx answer is skipped, as Go's client skips it.
func readHead(br *bufio.Reader) (code int, location string, err error) {
	for {
		code, location, err = readOneHead(br)
		if err != nil || code >= 200 || code == 101 {
			return code, location, err
		}
	}
}

func readOneHead(br *bufio.Reader) (code int, location string, err error) {
	line, err := headLine(br)
	if err != nil {
		return 0, "", fmt.Errorf("malformed HTTP response: %w", err)
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/1.") {
		return 0, "", fmt.Errorf("malformed HTTP response %q", line)
	}
	if code, err = strconv.Atoi(f[1]); err != nil || code < 100 || code > 999 {
		return 0, "", fmt.Errorf("malformed HTTP status code %q", f[1])
	}
	for i := 0; i < maxHeadLines; i++ {
		h, err := headLine(br)
		if err != nil {
			return 0, "", fmt.Errorf("malformed MIME header line: %w", err)
		}
		if h == "" {
			return code, location, nil
		}
		if name, value, ok := strings.Cut(h, ":"); ok && strings.EqualFold(name, "Location") {
			location = strings.TrimSpace(value)
		}
	}
	return 0, "", fmt.Errorf("malformed HTTP response: more than %d header lines", maxHeadLines)
}

// headLine is one line of the head, without its line end, at most
// maxHeadLine bytes (the reader's buffer).
func headLine(br *bufio.Reader) (string, error) {
	b, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("a line longer than %d bytes", maxHeadLine)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// dialURL dials the URL's host, at its port or its scheme's.
func (n *Net) dialURL(ctx context.Context, u *url.URL) (net.Conn, error) {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return n.Dial(ctx, net.JoinHostPort(u.Hostname(), port))
}

// TCP is the kubelet's tcpSocket probe: success when a connection opens
// within timeout.
func TCP(ctx context.Context, n *Net, host string, port int, timeout time.Duration) Result {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := n.Dial(ctx, net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return Result{Message: err.Error()}
	}
	conn.Close()
	return Result{OK: true}
}
