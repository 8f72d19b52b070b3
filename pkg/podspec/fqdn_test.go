package podspec

import (
	"strings"
	"testing"
)

func TestPodFQDN(t *testing.T) {
	cases := []struct {
		name string
		eds  []edit
		want string
	}{
		{"no subdomain", nil, ""},
		{"hostname", []edit{{"spec.hostname", "web"}, {"spec.subdomain", "sub"}}, "web.sub.default.svc.cluster.local"},
		{"pod name", []edit{{"spec.subdomain", "sub"}, {"metadata.namespace", "ns1"}}, "p.sub.ns1.svc.cluster.local"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := PodFQDN(mustParsePod(t, podWith(tc.eds...))); got != tc.want {
				t.Errorf("PodFQDN = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPodFQDNLongName: the hostname part is the pod name cut to 63
// characters without a trailing '-' or '.', as the kubelet cuts it.
func TestPodFQDNLongName(t *testing.T) {
	name := strings.Repeat("a", 62) + "-b"
	p := mustParsePod(t, podWith(edit{"metadata.name", name}, edit{"spec.subdomain", "s"}))
	if got, want := PodFQDN(p), strings.Repeat("a", 62)+".s.default.svc.cluster.local"; got != want {
		t.Errorf("PodFQDN = %q, want %q", got, want)
	}
}

func TestSetHostnameAsFQDN(t *testing.T) {
	// "h.s.default.svc.cluster.local" is 29 characters: 64 - 29 + 1 = 36
	// more in the hostname make 64, the most the kernel takes.
	fits := strings.Repeat("h", 36)
	mustParsePod(t, podWith(edit{"spec.setHostnameAsFQDN", true}, edit{"spec.hostname", fits}, edit{"spec.subdomain", "s"}))
	// Without a subdomain the flag changes nothing, whatever the name.
	mustParsePod(t, podWith(edit{"spec.setHostnameAsFQDN", true}, edit{"spec.hostname", strings.Repeat("h", 63)}))
	mustParsePod(t, podWith(edit{"spec.setHostnameAsFQDN", false}, edit{"spec.hostname", strings.Repeat("h", 63)}, edit{"spec.subdomain", "s"}))

	long := fits + "h"
	fqdn := long + ".s.default.svc.cluster.local"
	expectError(t, podWith(edit{"spec.setHostnameAsFQDN", true}, edit{"spec.hostname", long}, edit{"spec.subdomain", "s"}),
		"spec.setHostnameAsFQDN: Invalid value: true: failed to construct FQDN from pod hostname and cluster domain, FQDN "+
			fqdn+" is too long (64 characters is the max, 65 characters requested)")
}
