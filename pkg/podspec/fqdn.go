package podspec

import (
	"fmt"
	"strings"
)

// ClusterDomain is the DNS domain a kubelet is configured with by default;
// on one node it only names the pod (its hosts file, setHostnameAsFQDN).
const ClusterDomain = "cluster.local"

// maxNodenameLen is the kernel's nodename (struct utsname) without its
// terminating NUL: the kubelet's fqdnMaxLen.
const maxNodenameLen = 64

// PodFQDN is the pod's fully qualified name,
// HOSTNAME.SUBDOMAIN.NAMESPACE.svc.cluster.local, or "" when it has no
// subdomain (the kubelet's GeneratePodHostNameAndDomain).
func PodFQDN(p *Pod) string {
	if p.Spec.Subdomain == "" {
		return ""
	}
	return podHostname(p) + "." + p.Spec.Subdomain + "." + p.Namespace + ".svc." + ClusterDomain
}

// podHostname is spec.hostname, else the pod name cut to 63 characters
// without a trailing '-' or '.' (truncatePodHostnameIfNeeded).
func podHostname(p *Pod) string {
	if p.Spec.Hostname != "" {
		return p.Spec.Hostname
	}
	h := p.Name
	if len(h) > dns1123LabelMax {
		h = strings.TrimRight(h[:dns1123LabelMax], "-.")
	}
	return h
}

// checkSetHostnameAsFQDN: a fully qualified name longer than the kernel's
// nodename cannot be the pod's hostname. The API server takes such a pod
// and the kubelet then fails its sandbox for ever (FailedCreatePodSandBox);
// minipod refuses it at once, with the kubelet's message
// (GetNodenameForKernel). Without a subdomain the flag changes nothing.
func checkSetHostnameAsFQDN(c *podContext) []error {
	if !isTrue(c.pod.Spec.SetHostnameAsFQDN) {
		return nil
	}
	fqdn := PodFQDN(c.pod)
	if len(fqdn) <= maxNodenameLen {
		return nil
	}
	return []error{invalidRaw("spec.setHostnameAsFQDN", "true", fmt.Sprintf(
		"failed to construct FQDN from pod hostname and cluster domain, FQDN %s is too long (%d characters is the max, %d characters requested)",
		fqdn, maxNodenameLen, len(fqdn)))}
}
