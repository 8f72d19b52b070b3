package nodeconfig

import (
	"os"
	"strings"
)

// NodeName is the node's name, as a kubelet registers it by default: the
// hostname, trimmed and in lower case (node names are DNS subdomains).
// It is what a bound pod's spec.nodeName holds, and what events, `get -o
// wide` and the downward API report.
func NodeName() string {
	h, err := os.Hostname()
	if h = strings.ToLower(strings.TrimSpace(h)); err != nil || h == "" {
		return "localhost"
	}
	return h
}
