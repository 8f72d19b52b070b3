package podspec

import (
	"testing"

	"github.com/minipod/minipod/pkg/nodeconfig"
)

// TestSchedulingGatesChecked: qualified names, each once, and no nodeName
// beside them, as the API server requires.
func TestSchedulingGatesChecked(t *testing.T) {
	gates := func(names ...string) edit {
		var l []any
		for _, n := range names {
			l = append(l, m{"name": n})
		}
		return edit{"spec.schedulingGates", l}
	}
	p := mustParsePod(t, podWith(gates("example.com/foo", "example.com/bar")))
	if len(p.Spec.SchedulingGates) != 2 || p.Spec.SchedulingGates[1].Name != "example.com/bar" {
		t.Errorf("gates %+v", p.Spec.SchedulingGates)
	}
	expectError(t, podWith(gates("a", "a")), `spec.schedulingGates[1].name: Duplicate value: "a"`)
	expectError(t, podWith(gates("-bad")), `spec.schedulingGates[0].name: Invalid value: "-bad"`)
	expectError(t, podWith(gates("a"), edit{"spec.nodeName", "n1"}), "spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared")
}

// TestNodeNameOfThisNode: a pod that names this node (get -o yaml of a
// bound pod, applied again) is not warned about; another node's name is
// ignored with a warning.
func TestNodeNameOfThisNode(t *testing.T) {
	if _, warns := mustParse(t, podWith(edit{"spec.nodeName", nodeconfig.NodeName()})); len(warns) != 0 {
		t.Errorf("warnings %q for this node's name", warns)
	}
	if _, warns := mustParse(t, podWith(edit{"spec.nodeName", "elsewhere"})); len(warns) != 1 || warns[0] != "spec.nodeName: accepted but ignored on one node" {
		t.Errorf("warnings %q for another node's name", warns)
	}
}
