package podstatus

import (
	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/state"
)

// NodeName is the node the pod was bound to ("" before), as its binding
// recorded it; a record of an older minipod has none, and the node's
// name now stands in.
func NodeName(st *state.Pod) string {
	switch {
	case !st.Bound:
		return ""
	case st.NodeName != "":
		return st.NodeName
	}
	return nodeconfig.NodeName()
}
