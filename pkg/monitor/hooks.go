package monitor

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/probe"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// postStartLimit bounds a postStart hook, which the kubelet lets run as
// long as it takes: the hook holds the containers after it, and a pod
// must still come up, or fail, in the end.
const postStartLimit = 5 * time.Minute

// hookResult is a finished hook, for the loop.
type hookResult struct {
	c         *ctr
	instance  int
	postStart bool
	err       error
}

func postStart(c *ctr) *podspec.LifecycleHandler {
	if c.spec.Lifecycle == nil {
		return nil
	}
	return c.spec.Lifecycle.PostStart
}

func preStop(c *ctr) *podspec.LifecycleHandler {
	if c.spec.Lifecycle == nil {
		return nil
	}
	return c.spec.Lifecycle.PreStop
}

// runPostStart runs c's postStart hook off the loop, as the kubelet does
// right after the container started: until it is done the container is
// not running (nor started), and the containers after it wait.
func (mon *monitor) runPostStart(c *ctr) {
	h, t, inst := postStart(c), mon.probeTarget(c), c.instance
	go func() {
		err := mon.runHook(t, h, postStartLimit)
		mon.hooked <- hookResult{c: c, instance: inst, postStart: true, err: err}
	}()
}

// onHooked applies a hook's outcome on the loop. A failed postStart kills
// the container, which then restarts by its restartPolicy.
func (mon *monitor) onHooked(r hookResult) {
	c := r.c
	if r.err != nil {
		reason := "FailedPreStopHook"
		if r.postStart {
			reason = "FailedPostStartHook"
		}
		mon.st.AddEvent("Warning", reason, c.spec.Name, r.err.Error())
	}
	if !r.postStart || r.instance != c.instance || !c.hooking || c.step != stepRunning {
		return
	}
	c.hooking = false
	if r.err != nil {
		mon.st.AddEvent("Normal", "Killing", c.spec.Name, "FailedPostStartHook")
		mon.stopContainer(c, mon.grace())
		return
	}
	c.st.State, c.st.Reason, c.st.Started = state.StateRunning, "", true
	mon.startProbes(c)
	mon.advance() // the containers after it may start now
}

// stopContainer stops c's running instance as the kubelet does: its
// preStop hook first (within grace), then its stop signal (SIGTERM unless
// its lifecycle or image names another), then SIGKILL once grace
// has passed since the stop began. A grace of 0 is SIGKILL at once.
func (mon *monitor) stopContainer(c *ctr, grace time.Duration) {
	proc := c.st.Proc
	if grace == 0 {
		_ = proc.Signal(unix.SIGKILL)
		return
	}
	time.AfterFunc(grace, func() { _ = proc.Signal(unix.SIGKILL) }) // Signal checks it is still that process
	h := preStop(c)
	if h == nil {
		_ = proc.Signal(c.stopSignal())
		return
	}
	t, inst, sig := mon.probeTarget(c), c.instance, c.stopSignal()
	go func() {
		err := mon.runHook(t, h, grace)
		if err != nil {
			mon.hooked <- hookResult{c: c, instance: inst, err: err}
		}
		_ = proc.Signal(sig)
	}()
}

// runHook runs one hook in or against the container, bounded by limit,
// and words a failure as the kubelet does.
func (mon *monitor) runHook(t probeTarget, h *podspec.LifecycleHandler, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	pod := mon.pod.Name + "_" + mon.pod.Namespace + "(" + mon.pod.UID + ")"
	switch {
	case h.Exec != nil:
		if r := mon.execCheck(ctx, t.name, true, h.Exec.Command, limit); !r.OK {
			return fmt.Errorf("Exec lifecycle hook (%v) for Container %q in Pod %q failed - error: %s", h.Exec.Command, t.name, pod, strings.TrimSpace(r.Message))
		}
	case h.HTTPGet != nil:
		g := h.HTTPGet
		port, err := t.port(g.Port)
		if err == nil {
			var headers []probe.Header
			for _, hd := range g.HTTPHeaders {
				headers = append(headers, probe.Header{Name: hd.Name, Value: hd.Value})
			}
			if r := probe.HTTPGet(ctx, t.dial, strings.ToLower(g.Scheme), t.host(g.Host), port, g.Path, headers, limit); !r.OK {
				err = fmt.Errorf("%s", r.Message)
			}
		}
		if err != nil {
			return fmt.Errorf("HTTP lifecycle hook (%s) for Container %q in Pod %q failed - error: %v", g.Path, t.name, pod, err)
		}
	case h.Sleep != nil:
		sleepCtx(ctx, time.Duration(h.Sleep.Seconds)*time.Second)
	}
	return nil
}

// stopSignal is what stops c, as the runtime decides it: the pod's
// lifecycle.stopSignal, else the image's StopSignal, else SIGTERM.
func (c *ctr) stopSignal() syscall.Signal {
	if lc := c.spec.Lifecycle; lc != nil && lc.StopSignal != nil {
		if sig, err := podspec.ParseSignal(*lc.StopSignal); err == nil {
			return sig
		}
	}
	if c.img != nil && c.img.Config.StopSignal != "" {
		if sig, err := podspec.ParseSignal(c.img.Config.StopSignal); err == nil {
			return sig
		}
	}
	return unix.SIGTERM
}
