// Package tlsgrpc makes the probe attempts that need Go's TLS or HTTP/2
// stack, on a connection the pod's monitor opened in the pod's network
// namespace: one HTTPS get, or one gRPC health check. It runs in the
// minipod-probe program only (Serve), so that minipod itself links
// neither stack (see package probereq).
package tlsgrpc
