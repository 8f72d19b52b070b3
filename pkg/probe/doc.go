// Package probe runs one attempt of a network probe, httpGet or
// tcpSocket, as the kubelet's prober does, with the connection opened
// inside the pod's network namespace: the runtime itself checks the
// container, so images need no curl or nc.
package probe
