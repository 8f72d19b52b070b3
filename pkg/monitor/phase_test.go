package monitor

import (
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/state"
)

// TestReadinessNamesOwnReason: the pod's status column shows the first
// container's reason (here Error), so up's message must still say why the
// container it names cannot start.
func TestReadinessNamesOwnReason(t *testing.T) {
	st := &state.Pod{Name: "p", Phase: state.PhasePending, Initialized: true, Containers: []state.Container{
		{Name: "ends", State: state.StateTerminated, Reason: state.ReasonError, ExitCode: 3, Started: true},
		{Name: "named", Image: "bad image", State: state.StateWaiting, Reason: state.ReasonInvalidImageName, Message: "invalid reference format"},
	}}
	msg, done := readiness(st, false)
	if !done || !strings.HasPrefix(msg, "fail ") || !strings.Contains(msg, "InvalidImageName") || !strings.Contains(msg, "spec.containers[1].image") {
		t.Errorf("readiness = %q, %v; want a failure naming spec.containers[1].image and InvalidImageName", msg, done)
	}
	st.Containers = st.Containers[1:]
	msg, _ = readiness(st, false)
	if strings.Count(msg, "InvalidImageName") != 1 {
		t.Errorf("readiness = %q; want InvalidImageName once when the status column already shows it", msg)
	}
}
