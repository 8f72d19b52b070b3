package monitor

import (
	"os"
	"strconv"
)

// The kubelet's OOM score adjustments (pkg/kubelet/qos): what the kernel's
// OOM killer weighs a container's processes by, from the pod's QoS class.
const (
	oomGuaranteed = -997
	oomBestEffort = 1000
	oomSandbox    = -998 // pause, as containerd sets it
)

// oomScoreAdj is the kubelet's adjustment for a container of a pod of
// class qos that requests memRequest bytes on a node of memCapacity bytes:
// Guaranteed and BestEffort are fixed, Burstable scales with the share of
// the node's memory requested, kept strictly between the two.
func oomScoreAdj(qos string, memRequest, memCapacity int64) int {
	switch qos {
	case "Guaranteed":
		return oomGuaranteed
	case "BestEffort":
		return oomBestEffort
	}
	if memCapacity <= 0 {
		return oomBestEffort - 1
	}
	adj := 1000 - (1000*memRequest)/memCapacity
	if adj < 1000+oomGuaranteed {
		return 1000 + oomGuaranteed
	}
	if adj >= oomBestEffort {
		return oomBestEffort - 1
	}
	return int(adj)
}

// protectSandbox gives pause the sandbox's OOM score, as containerd does,
// so the kernel kills containers before the PID 1 of a shared PID
// namespace (elsewhere pause exits at once, and the namespaces live with
// the monitor, which keeps the score it was started with). Lowering a
// score needs CAP_SYS_RESOURCE; without it pause keeps the monitor's,
// which is no worse than before.
func protectSandbox(pid int) {
	_ = os.WriteFile("/proc/"+strconv.Itoa(pid)+"/oom_score_adj", []byte(strconv.Itoa(oomSandbox)), 0)
}
