package capacity

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/minipod/minipod/pkg/podspec"
)

// Insufficient lists why a pod requesting req does not fit on a node with
// alloc when the pods bound to it already request used (ResourcePods:
// how many they are), as the scheduler's NodeResourcesFit filter words it:
// "Too many pods", "Insufficient <resource>". Only what the pod requests
// is checked; a request the node does not advertise at all does not fit.
// Empty means it fits.
func Insufficient(alloc, used, req podspec.ResourceAmounts) []string {
	var out []string
	if used[ResourcePods]+1 > alloc[ResourcePods] {
		out = append(out, "Too many pods")
	}
	for _, name := range slices.Sorted(maps.Keys(req)) {
		if name == ResourcePods || req[name] <= 0 {
			continue
		}
		if req[name] > alloc[name]-used[name] {
			out = append(out, "Insufficient "+name)
		}
	}
	return out
}

// Message is the scheduler's FailedScheduling text for a one-node cluster
// with no pod to preempt; like the scheduler, it sorts the reasons.
func Message(reasons []string) string {
	parts := make([]string, len(reasons))
	for i, r := range slices.Sorted(slices.Values(reasons)) {
		parts[i] = "1 " + r
	}
	return fmt.Sprintf("0/1 nodes are available: %s. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.", strings.Join(parts, ", "))
}

// Add sums requests into total.
func Add(total, req podspec.ResourceAmounts) {
	for name, n := range req {
		total[name] += n
	}
}
