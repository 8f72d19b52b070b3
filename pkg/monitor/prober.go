package monitor

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/probe"
)

// probeKind is which of a container's probes a result is from.
type probeKind int

const (
	kindStartup probeKind = iota
	kindLiveness
	kindReadiness
)

var kindNames = [...]string{"Startup", "Liveness", "Readiness"}

// probing is one container instance's probes: their workers run off the
// loop and send results; the loop keeps the consecutive counts and acts.
type probing struct {
	cancel  context.CancelFunc
	started atomic.Bool // the startup probe passed, or there is none
	ok      [3]int      // consecutive successes, per kind
	fail    [3]int      // consecutive failures, per kind
	// unready is the readiness probe's last failure once it failed
	// failureThreshold times in a row, until it passes again.
	unready string
}

// probeResult is one attempt's outcome, for the loop.
type probeResult struct {
	c        *ctr
	instance int
	kind     probeKind
	res      probe.Result
}

func (c *ctr) probe(k probeKind) *podspec.Probe {
	return [...]*podspec.Probe{c.spec.StartupProbe, c.spec.LivenessProbe, c.spec.ReadinessProbe}[k]
}

// startProbes starts the probes of c's new instance. Until its startup
// probe passes the container is not started and the others wait; until
// its readiness probe passes it is not ready.
func (mon *monitor) startProbes(c *ctr) {
	c.st.Ready = c.spec.ReadinessProbe == nil && c.spec.StartupProbe == nil
	c.st.StartupProbing = c.spec.StartupProbe != nil
	if c.spec.StartupProbe == nil && c.spec.LivenessProbe == nil && c.spec.ReadinessProbe == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &probing{cancel: cancel}
	p.started.Store(c.spec.StartupProbe == nil)
	c.probes = p
	target := mon.probeTarget(c)
	for k := kindStartup; k <= kindReadiness; k++ {
		if pr := c.probe(k); pr != nil {
			go mon.probeWorker(ctx, target, c, c.instance, k, pr, p)
		}
	}
}

// stopProbes ends the probes of c's instance (it exited, or is killed).
func (c *ctr) stopProbes() {
	if c.probes != nil {
		c.probes.cancel()
		c.probes = nil
	}
}

// probeWorker runs one probe of one instance: after initialDelaySeconds,
// every periodSeconds, liveness and readiness only once the container has
// started; a passed startup probe is not run again.
func (mon *monitor) probeWorker(ctx context.Context, t probeTarget, c *ctr, inst int, k probeKind, pr *podspec.Probe, p *probing) {
	if !sleepCtx(ctx, time.Duration(pr.InitialDelaySeconds)*time.Second) {
		return
	}
	period := time.Duration(pr.PeriodSeconds) * time.Second
	for {
		if k == kindStartup || p.started.Load() {
			res := mon.runProbe(ctx, t, pr)
			if ctx.Err() != nil {
				return
			}
			select {
			case mon.probed <- probeResult{c: c, instance: inst, kind: k, res: res}:
			case <-ctx.Done():
				return
			}
			if k == kindStartup && res.OK {
				return
			}
		}
		if !sleepCtx(ctx, period) {
			return
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// probeTarget is what a probe of a container needs from the pod, read on
// the loop when the instance starts.
type probeTarget struct {
	name  string
	ip    string
	dial  *probe.Net
	ports []podspec.ContainerPort
	env   []podspec.EnvVar // what $(VAR) in an exec probe's command sees
}

func (mon *monitor) probeTarget(c *ctr) probeTarget {
	dial := probe.InNetNS(mon.st.NSPaths["net"], mon.st.Namespaces["net"], probeExe())
	if mon.pod.Spec.HostNetwork {
		dial = probe.Own(probeExe()) // the node's own namespace, which the monitor is in
	}
	return probeTarget{name: c.spec.Name, ip: mon.st.PodIP, dial: dial, ports: c.spec.Ports, env: c.spec.Env}
}

// runProbe makes one attempt, bounded by timeoutSeconds.
func (mon *monitor) runProbe(ctx context.Context, t probeTarget, pr *podspec.Probe) probe.Result {
	timeout := time.Duration(pr.TimeoutSeconds) * time.Second
	switch {
	case pr.Exec != nil:
		cmd, err := podspec.ExpandStatic(pr.Exec.Command, t.env)
		if err != nil {
			return probe.Result{Message: err.Error()}
		}
		return mon.execProbe(ctx, t.name, cmd, timeout)
	case pr.HTTPGet != nil:
		h := pr.HTTPGet
		port, err := t.port(h.Port)
		if err != nil {
			return probe.Result{Message: err.Error()}
		}
		var headers []probe.Header
		for _, hd := range h.HTTPHeaders {
			headers = append(headers, probe.Header{Name: hd.Name, Value: hd.Value})
		}
		return probe.HTTPGet(ctx, t.dial, map[string]string{"HTTP": "http", "HTTPS": "https"}[h.Scheme], t.host(h.Host), port, h.Path, headers, timeout)
	case pr.TCPSocket != nil:
		port, err := t.port(pr.TCPSocket.Port)
		if err != nil {
			return probe.Result{Message: err.Error()}
		}
		return probe.TCP(ctx, t.dial, t.host(pr.TCPSocket.Host), port, timeout)
	case pr.GRPC != nil:
		service := ""
		if pr.GRPC.Service != nil {
			service = *pr.GRPC.Service
		}
		useTLS := pr.GRPC.Mode != nil && *pr.GRPC.Mode == "TLS"
		return probe.GRPC(ctx, t.dial, t.ip, int(pr.GRPC.Port), service, useTLS, timeout)
	}
	return probe.Result{Message: "no probe handler"}
}

// host is the probe's host: the pod's address unless it names one.
func (t probeTarget) host(h string) string {
	if h != "" {
		return h
	}
	return t.ip
}

// port resolves a named port among the container's TCP ports, as the
// kubelet does when it probes.
func (t probeTarget) port(p podspec.IntOrString) (int, error) {
	if !p.IsString {
		return int(p.Int), nil
	}
	if n, err := strconv.Atoi(p.Str); err == nil {
		return n, nil
	}
	for _, cp := range t.ports {
		if cp.Name == p.Str && cp.Protocol == "TCP" {
			return int(cp.ContainerPort), nil
		}
	}
	return 0, fmt.Errorf("couldn't find port: %s in container %s", p.Str, t.name)
}

// onProbe applies one result on the loop: consecutive counts against the
// thresholds, the kubelet's events, readiness, a started container, or a
// kill of one that failed its liveness or startup probe.
func (mon *monitor) onProbe(r probeResult) {
	c := r.c
	p := c.probes
	if p == nil || r.instance != c.instance || c.step != stepRunning || mon.st.Terminating || mon.killed {
		return // a result of an instance that is gone
	}
	pr := c.probe(r.kind)
	if r.res.OK {
		p.ok[r.kind]++
		p.fail[r.kind] = 0
	} else {
		p.fail[r.kind]++
		p.ok[r.kind] = 0
		mon.st.AddEvent("Warning", "Unhealthy", c.spec.Name, kindNames[r.kind]+" probe failed: "+r.res.Message)
	}
	passed := p.ok[r.kind] >= int(pr.SuccessThreshold)
	failed := p.fail[r.kind] >= int(pr.FailureThreshold)
	switch r.kind {
	case kindStartup:
		if passed {
			p.started.Store(true)
			c.st.StartupProbing = false
			c.st.Ready = c.spec.ReadinessProbe == nil
			if c.sidecar {
				mon.advance() // the init containers after it may start
			}
		}
		if failed {
			mon.killForProbe(c, "startup", pr)
		}
	case kindLiveness:
		if failed {
			mon.killForProbe(c, "liveness", pr)
		}
	case kindReadiness:
		if passed {
			c.st.Ready = true
			p.unready = ""
		}
		if failed {
			c.st.Ready = false
			p.unready = kindNames[r.kind] + " probe failed: " + r.res.Message
		}
	}
}

// killForProbe stops an instance that failed its liveness or startup
// probe, as the kubelet does: SIGTERM, SIGKILL after the probe's grace
// period (else the pod's). Its restart policy (its own, else the pod's)
// decides at once whether it is restarted, whatever its exit code: any
// but Never restarts it; under Never its exit code meets its restart
// rules as any exit does.
func (mon *monitor) killForProbe(c *ctr, which string, pr *podspec.Probe) {
	c.probeKill = true
	c.probeRestart = c.spec.RestartsAfterProbeKill(mon.pod.Spec.RestartPolicy, c.init)
	msg := fmt.Sprintf("Container %s failed %s probe", c.spec.Name, which)
	if c.probeRestart {
		msg += ", will be restarted"
	}
	mon.st.AddEvent("Normal", "Killing", c.spec.Name, msg)
	c.stopProbes()
	c.st.Ready = false
	grace := mon.grace()
	if g := pr.TerminationGracePeriodSeconds; g != nil {
		grace = podspec.Seconds(*g)
	}
	mon.stopContainer(c, grace)
}
