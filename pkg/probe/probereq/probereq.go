// Package probereq is how a pod's monitor asks the minipod-probe program
// for a probe attempt that needs TLS or HTTP/2 (an HTTPS get, a gRPC
// health check): the request it reads on its standard input, with the
// connection the monitor opened in the pod's network namespace as its
// descriptor 3, the result it writes on its standard output, and Run,
// which starts it. Go's TLS and HTTP/2 stacks live in that program alone,
// so that minipod (the CLI, and every pod's monitor) neither initialises
// them on each start nor keeps them in memory, and what a server in the
// pod answers is parsed by an unprivileged process of its own.
package probereq

import "time"

// Program is the name of the probe helper installed beside minipod.
const Program = "minipod-probe"

// Ops a Request may ask for.
const (
	OpGet  = "get"  // one HTTP/1.1 GET over TLS (no certificate checks)
	OpGRPC = "grpc" // grpc.health.v1.Health/Check over HTTP/2, with or without TLS
)

// Request is one attempt on the connection handed over.
type Request struct {
	Op string `json:"op"`
	// Within is how long the attempt may take from the helper's start:
	// what is left of the probe's timeout (a duration, not a time, so
	// that a step of the wall clock cannot stretch it).
	Within time.Duration `json:"within"`
	// OpGet: the URL, the Host header and the other headers.
	URL     string   `json:"url,omitempty"`
	Host    string   `json:"host,omitempty"`
	Headers []Header `json:"headers,omitempty"`
	// OpGRPC: the address probed (host:port, as messages name it), the
	// service checked ("" is the server's overall health), TLS, and the
	// probe's timeout (sent as grpc-timeout, named in messages).
	Addr    string        `json:"addr,omitempty"`
	Service string        `json:"service,omitempty"`
	TLS     bool          `json:"tls,omitempty"`
	Timeout time.Duration `json:"timeout,omitempty"`
}

// Header is one request header.
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Result is the attempt's outcome. OpGet: the status code and Location of
// the answer, or why there is none (Error; TimedOut when the deadline
// ended it). OpGRPC: success, and the kubelet's message.
type Result struct {
	Code     int    `json:"code,omitempty"`
	Location string `json:"location,omitempty"`
	Error    string `json:"error,omitempty"`
	TimedOut bool   `json:"timedOut,omitempty"`
	OK       bool   `json:"ok,omitempty"`
	Message  string `json:"message,omitempty"`
}

// Bounds of what crosses the pipes: a request is a URL and headers the
// manifest gave; a result quotes at most a header or two of the answer,
// each cut to MaxQuote bytes by the helper.
const (
	MaxRequest = 1 << 20
	MaxResult  = 64 << 10
	MaxQuote   = 1 << 10
)

// Nobody is the user and group the helper runs as.
const Nobody = 65534
