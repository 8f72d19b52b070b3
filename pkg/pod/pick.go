package pod

import (
	"fmt"
	"io"
	"strings"

	"github.com/minipod/minipod/pkg/state"
)

// onNode refuses a pod not bound to the node (gated, or waiting for room):
// exec, attach and port-forward get the API server's answer to them. A
// record of an older minipod, without Bound, names neither.
func onNode(st *state.Pod) error {
	if !st.Bound && (st.SchedulingGated || st.Unschedulable != "") {
		return fmt.Errorf("pod %s does not have a host assigned", st.Name)
	}
	return nil
}

// pickContainer finds the named container, or defaults as kubectl does: the
// annotation-less rule is "the first app container", with a note on stderr
// when the pod has several.
func pickContainer(st *state.Pod, name string, note io.Writer) (*state.Container, error) {
	if name != "" {
		c, ok := st.Find(name)
		if !ok {
			return nil, fmt.Errorf("container %s is not valid for pod %s", name, st.Name)
		}
		return c, nil
	}
	if len(st.Containers) == 0 {
		return nil, fmt.Errorf("pod %s has no containers", st.Name)
	}
	if n := len(st.Containers) + len(st.InitContainers); n > 1 && note != nil {
		var all []string
		for _, c := range st.Containers {
			all = append(all, c.Name)
		}
		for _, c := range st.InitContainers {
			all = append(all, c.Name+" (init)")
		}
		fmt.Fprintf(note, "Defaulted container %q out of: %s\n", st.Containers[0].Name, strings.Join(all, ", "))
	}
	return &st.Containers[0], nil
}
