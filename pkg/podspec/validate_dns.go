package podspec

import (
	"fmt"
	"net"
	"strings"
)

// The API server's limits on dnsConfig (validateDNSConfig, validation's
// MaxDNSNameservers / MaxDNSSearchPaths / MaxDNSSearchListChars).
const (
	maxDNSNameservers   = 3
	maxDNSSearchPaths   = 32
	maxDNSSearchListLen = 2048
)

// checkDNSConfig applies the API server's rules: dnsPolicy None needs at
// least one nameserver; nameservers are IP addresses, at most 3; searches
// are DNS subdomains, at most 32 and 2048 characters together; options
// have names.
func checkDNSConfig(cfg *PodDNSConfig, policy string) []error {
	var errs errList
	if policy == "None" && (cfg == nil || len(cfg.Nameservers) == 0) {
		if cfg == nil {
			errs.add(required("spec.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"))
		} else {
			errs.add(required("spec.dnsConfig.nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None"))
		}
	}
	if cfg == nil {
		return errs
	}
	if n := len(cfg.Nameservers); n > maxDNSNameservers {
		errs.add(invalidRaw("spec.dnsConfig.nameservers", fmt.Sprint(cfg.Nameservers), fmt.Sprintf("must not have more than %d nameservers", maxDNSNameservers)))
	}
	for i, ns := range cfg.Nameservers {
		if net.ParseIP(ns) == nil {
			errs.add(invalid(fmt.Sprintf("spec.dnsConfig.nameservers[%d]", i), ns, "must be a valid IP address"))
		}
	}
	if n := len(cfg.Searches); n > maxDNSSearchPaths {
		errs.add(invalidRaw("spec.dnsConfig.searches", fmt.Sprint(cfg.Searches), fmt.Sprintf("must not have more than %d search paths", maxDNSSearchPaths)))
	}
	if n := len(strings.Join(cfg.Searches, " ")); n > maxDNSSearchListLen {
		errs.add(invalidRaw("spec.dnsConfig.searches", fmt.Sprint(cfg.Searches), fmt.Sprintf("must not have more than %d characters (including spaces) in the search list", maxDNSSearchListLen)))
	}
	for i, s := range cfg.Searches {
		// A single "." (no search) is allowed, and a trailing dot.
		if s == "." {
			continue
		}
		if why := dns1123Subdomain(strings.TrimSuffix(s, ".")); why != "" {
			errs.add(invalid(fmt.Sprintf("spec.dnsConfig.searches[%d]", i), s, why))
		}
	}
	for i, o := range cfg.Options {
		if o.Name == "" {
			errs.add(required(fmt.Sprintf("spec.dnsConfig.options[%d].name", i), "must not be empty"))
		}
	}
	return errs
}

// checkHostAliases: each alias an IP address and DNS subdomain names.
func checkHostAliases(c *podContext) []error {
	var errs errList
	for i, a := range c.pod.Spec.HostAliases {
		p := fmt.Sprintf("spec.hostAliases[%d]", i)
		if net.ParseIP(a.IP) == nil {
			errs.add(invalid(p+".ip", a.IP, "must be valid IP address"))
		}
		for j, h := range a.Hostnames {
			if why := dns1123Subdomain(h); why != "" {
				errs.add(invalid(fmt.Sprintf("%s.hostnames[%d]", p, j), h, why))
			}
		}
	}
	return errs
}
