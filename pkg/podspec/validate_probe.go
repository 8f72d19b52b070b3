package podspec

import (
	"strconv"
)

// checkProbes applies the API server's probe rules (validateProbe,
// validateHandler and the container rules around them): one handler,
// non-negative timings, successThreshold 1 for liveness and startup, no
// grace period on readiness, and no probe on an init container that is
// not a sidecar.
func checkProbes(_ *podContext, ctr *Container, path string) []error {
	var errs errList
	for _, p := range []struct {
		name  string
		probe *Probe
	}{{"livenessProbe", ctr.LivenessProbe}, {"readinessProbe", ctr.ReadinessProbe}, {"startupProbe", ctr.StartupProbe}} {
		if p.probe == nil {
			continue
		}
		pp := path + "." + p.name
		if isPlainInit(ctr, path) {
			errs.add(forbidden(pp, "may not be set for init containers without restartPolicy=Always"))
			continue
		}
		errs.add(checkProbe(p.probe, pp)...)
		if p.name != "readinessProbe" && p.probe.SuccessThreshold != 1 {
			errs.add(invalidRaw(pp+".successThreshold", strconv.Itoa(int(p.probe.SuccessThreshold)), "must be 1"))
		}
		if g := p.probe.TerminationGracePeriodSeconds; p.name == "readinessProbe" && g != nil {
			errs.add(invalidRaw(pp+".terminationGracePeriodSeconds", strconv.FormatInt(*g, 10), "must not be set for readinessProbes"))
		}
	}
	return errs
}

func checkProbe(p *Probe, path string) []error {
	var errs errList
	errs.add(checkHandler(p, path)...)
	for _, f := range []struct {
		name string
		v    int32
	}{{"initialDelaySeconds", p.InitialDelaySeconds}, {"timeoutSeconds", p.TimeoutSeconds}, {"periodSeconds", p.PeriodSeconds},
		{"successThreshold", p.SuccessThreshold}, {"failureThreshold", p.FailureThreshold}} {
		if f.v < 0 {
			errs.add(invalidRaw(path+"."+f.name, strconv.Itoa(int(f.v)), "must be greater than or equal to 0"))
		}
	}
	if g := p.TerminationGracePeriodSeconds; g != nil && *g <= 0 {
		errs.add(invalidRaw(path+".terminationGracePeriodSeconds", strconv.FormatInt(*g, 10), "must be greater than 0"))
	}
	return errs
}

// checkHandler: exactly one of exec, httpGet, tcpSocket, each valid.
func checkHandler(p *Probe, path string) []error {
	n := 0
	var errs errList
	if p.Exec != nil {
		n++
		if len(p.Exec.Command) == 0 {
			errs.add(required(path+".exec.command", ""))
		}
	}
	if h := p.HTTPGet; h != nil {
		n++
		if n > 1 {
			errs.add(forbidden(path+".httpGet", "may not specify more than 1 handler type"))
		}
		errs.add(checkHTTPGet(h, path+".httpGet")...)
	}
	if t := p.TCPSocket; t != nil {
		n++
		if n > 1 {
			errs.add(forbidden(path+".tcpSocket", "may not specify more than 1 handler type"))
		}
		errs.add(checkProbePort(t.Port, path+".tcpSocket.port")...)
	}
	if g := p.GRPC; g != nil {
		n++
		if n > 1 {
			errs.add(forbidden(path+".grpc", "may not specify more than 1 handler type"))
		}
		if g.Port < 1 || g.Port > 65535 {
			errs.add(invalidRaw(path+".grpc.port", strconv.Itoa(int(g.Port)), "must be between 1 and 65535, inclusive"))
		}
		if g.Mode != nil && *g.Mode != "Plaintext" && *g.Mode != "TLS" {
			errs.add(unsupported(path+".grpc.mode", *g.Mode, "Plaintext", "TLS"))
		}
	}
	if n == 0 {
		errs.add(required(path, "must specify a handler type"))
	}
	return errs
}

func checkHTTPGet(h *HTTPGetAction, path string) []error {
	var errs errList
	if h.Path == "" {
		errs.add(required(path+".path", ""))
	}
	errs.add(checkProbePort(h.Port, path+".port")...)
	if h.Scheme != "HTTP" && h.Scheme != "HTTPS" {
		errs.add(unsupported(path+".scheme", h.Scheme, "HTTP", "HTTPS"))
	}
	for i, hd := range h.HTTPHeaders {
		if !isHTTPToken(hd.Name) {
			errs.add(invalid(path+".httpHeaders["+strconv.Itoa(i)+"].name", hd.Name,
				"a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"))
		}
	}
	return errs
}

// checkProbePort: a port number, or the IANA service name of one of the
// container's ports (resolved when the probe runs, as the kubelet does).
func checkProbePort(p IntOrString, path string) []error {
	if p.IsString {
		if why := ianaSvcName(p.Str); why != "" {
			return []error{invalid(path, p.Str, why)}
		}
		return nil
	}
	if p.Int < 1 || p.Int > 65535 {
		return []error{invalidRaw(path, strconv.Itoa(int(p.Int)), "must be between 1 and 65535, inclusive")}
	}
	return nil
}

// isHTTPToken is the API server's IsHTTPHeaderName: [-A-Za-z0-9]+.
func isHTTPToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
