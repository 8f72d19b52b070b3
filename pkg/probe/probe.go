package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Result is one attempt's outcome; Message says why it failed (or, for a
// success with something to note, what).
type Result struct {
	OK      bool
	Message string
}

// maxBody is how much of a response the kubelet reads (10 KiB).
const maxBody = 10 << 10

// UserAgent is the kubelet's probe user agent (kube-probe/<minor version>).
const UserAgent = "kube-probe/1.34"

// Header is one request header.
type Header struct{ Name, Value string }

// HTTPGet is the kubelet's httpGet probe: a GET, no keep-alive, HTTPS
// without certificate checks, redirects followed on the same host only (a
// redirect elsewhere is a success), 200-399 a success.
func HTTPGet(ctx context.Context, n *Net, scheme, host string, port int, path string, headers []Header, timeout time.Duration) Result {
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port)), Path: path}
	if p, err := url.Parse(path); err == nil { // keep a query string
		u.Path, u.RawQuery = p.Path, p.RawQuery
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return Result{Message: err.Error()}
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "*/*")
	for _, h := range headers {
		if http.CanonicalHeaderKey(h.Name) == "Host" {
			req.Host = h.Value
			continue
		}
		req.Header.Set(h.Name, h.Value)
	}
	client := &http.Client{Timeout: timeout, Transport: n.transport(), CheckRedirect: sameHostRedirects}
	resp, err := client.Do(req)
	if errors.Is(err, errOtherHost) {
		return Result{OK: true, Message: "Probe terminated redirects"}
	}
	if err != nil {
		return Result{Message: err.Error()}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody)) // as much as the kubelet reads
	if resp.StatusCode >= http.StatusOK && resp.StatusCode < http.StatusBadRequest {
		return Result{OK: true}
	}
	return Result{Message: fmt.Sprintf("HTTP probe failed with statuscode: %d", resp.StatusCode)}
}

var errOtherHost = errors.New("redirect to another host")

// sameHostRedirects follows at most 10 redirects, all to the same host.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Hostname() != via[0].URL.Hostname() {
		return errOtherHost
	}
	return nil
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
