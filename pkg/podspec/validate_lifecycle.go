package podspec

import (
	"fmt"
	"strconv"
)

// checkLifecycle applies the API server's hook rules: one handler each
// (exec, httpGet or sleep), a sleep within the grace period, no hooks on
// init containers that are not sidecars.
func checkLifecycle(c *podContext, ctr *Container, path string) []error {
	lc := ctr.Lifecycle
	if lc == nil {
		return nil
	}
	if isPlainInit(ctr, path) {
		return []error{forbidden(path+".lifecycle", "may not be set for init containers without restartPolicy=Always")}
	}
	var errs errList
	errs.add(checkStopSignal(c, lc.StopSignal, path+".lifecycle.stopSignal")...)
	grace := DefaultTerminationGracePeriodSeconds
	if g := c.pod.Spec.TerminationGracePeriodSeconds; g != nil {
		grace = *g
	}
	for _, h := range []struct {
		name string
		h    *LifecycleHandler
	}{{"postStart", lc.PostStart}, {"preStop", lc.PreStop}} {
		if h.h != nil {
			errs.add(checkLifecycleHandler(h.h, path+".lifecycle."+h.name, grace)...)
		}
	}
	return errs
}

func checkLifecycleHandler(h *LifecycleHandler, path string, grace int64) []error {
	var errs errList
	n := 0
	if h.Exec != nil {
		n++
		if len(h.Exec.Command) == 0 {
			errs.add(required(path+".exec.command", ""))
		}
	}
	if h.HTTPGet != nil {
		n++
		if n > 1 {
			errs.add(forbidden(path+".httpGet", "may not specify more than 1 handler type"))
		}
		errs.add(checkHTTPGet(h.HTTPGet, path+".httpGet")...)
	}
	if h.Sleep != nil {
		n++
		if n > 1 {
			errs.add(forbidden(path+".sleep", "may not specify more than 1 handler type"))
		}
		if s := h.Sleep.Seconds; s < 0 || s > grace {
			errs.add(invalidRaw(path+".sleep.seconds", strconv.FormatInt(s, 10),
				fmt.Sprintf("must be non-negative and less than terminationGracePeriodSeconds (%d)", grace)))
		}
	}
	if n == 0 && len(h.TCPSocket) == 0 {
		errs.add(required(path, "must specify a handler type"))
	}
	return errs
}

// checkStopSignal: the API server's rule ties a stop signal to the pod's
// operating system, which must be named; a linux pod takes the signals of
// linuxSignals.
func checkStopSignal(c *podContext, sig *string, path string) []error {
	if sig == nil {
		return nil
	}
	if c.pod.Spec.OS == nil || c.pod.Spec.OS.Name == "" {
		return []error{forbidden(path, "may not be set for containers with empty `spec.os.name`")}
	}
	if _, ok := linuxSignals[*sig]; !ok {
		return []error{unsupported(path, *sig, signalNames()...)}
	}
	return nil
}
