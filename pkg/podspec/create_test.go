package podspec

import (
	"regexp"
	"slices"
	"testing"
)

var v4UUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestAssignUIDs: on create every pod gets a fresh v4 UUID; a manifest's
// uid is replaced with a warning naming the pod.
func TestAssignUIDs(t *testing.T) {
	given := "0b7c1e2a-1111-4222-8333-444455556666"
	second := podWith(edit{"metadata.name", "q"})
	data := append(append(podWith(edit{"metadata.uid", given}), "\n---\n"...), second...)
	m, _ := mustParse(t, data)
	if m.Pods[0].UID != given {
		t.Fatalf("Parse changed the uid to %q", m.Pods[0].UID)
	}
	warns, err := m.AssignUIDs()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`Pod "p": metadata.uid: ignored on input (a new UID is assigned on create)`}
	if !slices.Equal(warns, want) {
		t.Errorf("warnings %q, want %q", warns, want)
	}
	a, b := m.Pods[0].UID, m.Pods[1].UID
	if a == given || a == b || !v4UUID.MatchString(a) || !v4UUID.MatchString(b) {
		t.Errorf("uids %q, %q: want two fresh, different v4 UUIDs", a, b)
	}
}

func TestNewUIDsDiffer(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		u, err := NewUID()
		if err != nil || !v4UUID.MatchString(u) || seen[u] {
			t.Fatalf("NewUID = %q, %v (seen before: %v)", u, err, seen[u])
		}
		seen[u] = true
	}
}
