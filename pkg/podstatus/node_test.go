package podstatus

import (
	"testing"

	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/state"
)

func TestNodeName(t *testing.T) {
	cases := []struct {
		st   state.Pod
		want string
	}{
		{state.Pod{}, ""},
		{state.Pod{Bound: true, NodeName: "bound-here"}, "bound-here"},
		{state.Pod{Bound: true}, nodeconfig.NodeName()}, // an older record
	}
	for _, c := range cases {
		if got := NodeName(&c.st); got != c.want {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
}
