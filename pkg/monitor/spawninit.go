package monitor

import (
	"runtime"
	"sync"

	"github.com/minipod/minipod/pkg/mounts"
)

// spawnsInit says whether c's init is to be born out of the pod's sight
// and spawn c's command into the pod's PID namespace
// (container.StartOptions.Spawn): where the pod's containers share one
// (not the host's), in the host's user namespace, and one of them may
// trace (CAP_SYS_PTRACE), which could otherwise seize init while it is
// the host's root with every capability, or the monitor's fork before
// its exec. It takes minipod-init with its entry point (the spawn role)
// and a kernel that mounts a /proc of another PID namespace; without
// them the start goes on as before, once noted among the pod's events.
func (mon *monitor) spawnsInit(c *ctr) bool {
	s := &mon.pod.Spec
	if s.HostPID || s.OwnUserNS() || s.ShareProcessNamespace == nil || !*s.ShareProcessNamespace || !mon.tracersSee(c) {
		return false
	}
	why := ""
	switch {
	case runtime.GOARCH != "amd64" || initExe() == selfExe:
		why = "minipod-init, with its entry point, is not installed beside minipod"
	case !procOfPIDNS():
		why = mounts.ErrProcPIDNS.Error()
	default:
		return true
	}
	if !mon.spawnNoted {
		mon.spawnNoted = true
		mon.st.AddEvent("Warning", "Unprotected", c.spec.Name, "containers of this pod that may trace (CAP_SYS_PTRACE) can seize a container's init before it is confined: "+why)
	}
	return false
}

// procOfPIDNS: the kernel's answer, asked once.
var procOfPIDNS = sync.OnceValue(mounts.ProcOfOtherPIDNS)
