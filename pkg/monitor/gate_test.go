package monitor

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// readGate reads what an init would: one byte, or EOF.
func readGate(t *testing.T, r *os.File) (byte, error) {
	t.Helper()
	defer r.Close()
	_ = r.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b [1]byte
	_, err := io.ReadFull(r, b[:])
	return b[0], err
}

func TestGateOpens(t *testing.T) {
	g := newGate()
	r1, err := g.pass()
	if err != nil || r1 == nil {
		t.Fatalf("pass before open: %v, %v", r1, err)
	}
	r2, _ := g.pass()
	r2.Close() // an init that died before the gate opened holds nothing up
	done := make(chan error, 1)
	go func() { done <- g.wait() }()
	select {
	case err := <-done:
		t.Fatalf("wait returned %v before the gate opened", err)
	case <-time.After(20 * time.Millisecond):
	}
	g.open()
	if err := <-done; err != nil {
		t.Errorf("wait after open: %v", err)
	}
	if b, err := readGate(t, r1); err != nil || b != 1 {
		t.Errorf("held init read %v, %v; want the byte", b, err)
	}
	if r, err := g.pass(); r != nil || err != nil {
		t.Errorf("pass after open: %v, %v; want nothing to wait on", r, err)
	}
	g.fail() // settled once: no effect
	if err := g.wait(); err != nil {
		t.Errorf("a failure after opening changed the gate: %v", err)
	}
}

func TestGateFails(t *testing.T) {
	g := newGate()
	r, _ := g.pass()
	g.fail()
	if _, err := readGate(t, r); !errors.Is(err, io.EOF) {
		t.Errorf("held init read %v, want EOF", err)
	}
	if err := g.wait(); !errors.Is(err, errSandboxFailed) {
		t.Errorf("wait after fail: %v", err)
	}
	if r, err := g.pass(); r != nil || !errors.Is(err, errSandboxFailed) {
		t.Errorf("pass after fail: %v, %v", r, err)
	}
}

func TestNilGate(t *testing.T) {
	var g *gate
	if r, err := g.pass(); r != nil || err != nil {
		t.Errorf("nil gate pass: %v, %v", r, err)
	}
	if err := g.wait(); err != nil {
		t.Errorf("nil gate wait: %v", err)
	}
}

func TestUsesPodIP(t *testing.T) {
	ref := func(path string) podspec.EnvVar {
		return podspec.EnvVar{Name: "X", ValueFrom: &podspec.EnvVarSource{FieldRef: &podspec.ObjectFieldSelector{FieldPath: path}}}
	}
	for _, c := range []struct {
		env  []podspec.EnvVar
		want bool
	}{
		{nil, false},
		{[]podspec.EnvVar{{Name: "A", Value: "1"}, ref("metadata.name"), ref("status.hostIP")}, false},
		{[]podspec.EnvVar{ref("status.podIP")}, true},
		{[]podspec.EnvVar{{Name: "A", Value: "1"}, ref("status.podIPs")}, true},
	} {
		if got := usesPodIP(&podspec.Container{Env: c.env}); got != c.want {
			t.Errorf("usesPodIP(%+v) = %v", c.env, got)
		}
	}
}

func TestMoveLastEvent(t *testing.T) {
	t0 := time.Unix(100, 0)
	st := &state.Pod{Events: []state.Event{
		{Reason: "Scheduled", Time: t0},
		{Reason: "Pulled", Time: t0.Add(time.Second)},
		{Reason: "Created", Time: t0.Add(2 * time.Second)},
		{Reason: "AddedInterface", Time: t0.Add(3 * time.Second)},
	}}
	moveLastEvent(st, t0.Add(time.Second))
	const want = "Scheduled AddedInterface Pulled Created"
	if got := strings.Join(reasons(st), " "); got != want {
		t.Errorf("events %s, want %s", got, want)
	}
	if !st.Events[1].Time.Equal(t0.Add(time.Second)) {
		t.Errorf("moved event's time %v, want that of the one it precedes", st.Events[1].Time)
	}
	moveLastEvent(st, t0.Add(time.Hour)) // nothing since: stays last
	if got := strings.Join(reasons(st), " "); got != want {
		t.Errorf("events changed: %s", got)
	}
	st.Events = append(st.Events, state.Event{Reason: "Started", Time: t0.Add(5 * time.Second)}, state.Event{Reason: "Killing", Time: t0.Add(4 * time.Second)})
	moveLastEvent(st, t0.Add(5*time.Second)) // recorded in the same instant as the one before it
	if got, want := strings.Join(reasons(st), " "), want+" Killing Started"; got != want {
		t.Errorf("events %s, want %s", got, want)
	}
}

func reasons(st *state.Pod) []string {
	var out []string
	for _, e := range st.Events {
		out = append(out, e.Reason)
	}
	return out
}
