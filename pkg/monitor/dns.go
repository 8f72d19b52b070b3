package monitor

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strings"

	"github.com/minipod/minipod/pkg/podspec"
)

// clusterDomain is the cluster's DNS domain as a kubelet is configured
// with by default; on one node it only names the pod in its hosts file.
const clusterDomain = "cluster.local"

// resolvConf is a resolv.conf as the kubelet parses and writes it.
type resolvConf struct {
	nameservers, searches, options []string
}

func parseResolv(b []byte) resolvConf {
	var r resolvConf
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ";") {
			continue
		}
		switch f[0] {
		case "nameserver":
			r.nameservers = append(r.nameservers, f[1])
		case "search", "domain":
			r.searches = f[1:] // the last one wins, as in the resolver
		case "options":
			r.options = append(r.options, f[1:]...)
		}
	}
	return r
}

func (r resolvConf) String() string {
	var b strings.Builder
	for _, ns := range r.nameservers {
		b.WriteString("nameserver " + ns + "\n")
	}
	if len(r.searches) > 0 {
		b.WriteString("search " + strings.Join(r.searches, " ") + "\n")
	}
	if len(r.options) > 0 {
		b.WriteString("options " + strings.Join(r.options, " ") + "\n")
	}
	return b.String()
}

// podResolv is the pod's resolv.conf as the kubelet makes it: the node's
// (dnsPolicy Default; ClusterFirst too, there being no cluster DNS on one
// node), or nothing (None), then spec.dnsConfig merged in: nameservers and
// searches appended without repeats (at most 3 and 32), options by name,
// the pod's winning.
func podResolv(p *podspec.Pod, node []byte) []byte {
	cfg := p.Spec.DNSConfig
	if cfg == nil && p.Spec.DNSPolicy != "None" {
		return node // the node's file as it is
	}
	var r resolvConf
	if p.Spec.DNSPolicy != "None" {
		r = parseResolv(node)
	}
	if cfg != nil {
		r.nameservers = appendNew(r.nameservers, cfg.Nameservers, 3)
		r.searches = appendNew(r.searches, cfg.Searches, 32)
		r.options = mergeOptions(r.options, cfg.Options)
	}
	return []byte(r.String())
}

func appendNew(have, more []string, limit int) []string {
	out := slices.Clone(have)
	for _, s := range more {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out[:min(len(out), limit)]
}

// mergeOptions sets each of the pod's options over the node's of the same
// name ("ndots:5" and ndots=2 give "ndots:2").
func mergeOptions(have []string, pod []podspec.PodDNSConfigOption) []string {
	out := slices.Clone(have)
	for _, o := range pod {
		opt := o.Name
		if o.Value != nil {
			opt += ":" + *o.Value
		}
		i := slices.IndexFunc(out, func(s string) bool { name, _, _ := strings.Cut(s, ":"); return name == o.Name })
		if i >= 0 {
			out[i] = opt
		} else {
			out = append(out, opt)
		}
	}
	return out
}

// nodeResolv is the node's resolv.conf, or nothing without one.
func nodeResolv() []byte {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return nil // no resolver on the node: an empty file, as the kubelet would
	}
	return b
}

// hostsDomain is the domain a pod with a subdomain has in its hosts file:
// SUBDOMAIN.NAMESPACE.svc.CLUSTER-DOMAIN.
func hostsDomain(p *podspec.Pod) string {
	if p.Spec.Subdomain == "" {
		return ""
	}
	return p.Spec.Subdomain + "." + p.Namespace + ".svc." + clusterDomain
}

// hostAliasLines are the kubelet's lines for spec.hostAliases, after a
// blank line and its comment.
func hostAliasLines(aliases []podspec.HostAlias) string {
	if len(aliases) == 0 {
		return ""
	}
	out := "\n# Entries added by HostAliases.\n"
	for _, a := range aliases {
		out += a.IP + "\t" + strings.Join(a.Hostnames, "\t") + "\n"
	}
	return out
}
