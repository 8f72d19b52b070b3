package podspec

import (
	"fmt"
	"testing"
)

// TestEmptyDirModeChecked: 0 to 01777, sticky bit included, and no more.
func TestEmptyDirModeChecked(t *testing.T) {
	vol := func(mode int) edit { return edit{"spec.volumes", l{m{"name": "v", "emptyDir": m{"mode": mode}}}} }
	p := mustParsePod(t, podWith(vol(0o1777)))
	if got := *p.Spec.Volumes[0].EmptyDir.Mode; got != 0o1777 {
		t.Errorf("mode %#o, want 01777", got)
	}
	for _, bad := range []int{0o2000, -1} {
		expectError(t, podWith(vol(bad)), fmt.Sprintf("spec.volumes[0].emptyDir.mode: Invalid value: %d: must be a number between 0 and 01777 (octal), both inclusive", bad))
	}
}

// TestRecursiveReadOnlyDisabledWarns: a read-only mount asked to leave its
// submounts writable is told that this node does not.
func TestRecursiveReadOnlyDisabledWarns(t *testing.T) {
	_, warns := mustParse(t, podWith(edit{"spec.volumes", l{m{"name": "v"}}},
		edit{"spec.containers[0].volumeMounts", l{m{"name": "v", "mountPath": "/v", "readOnly": true, "recursiveReadOnly": "Disabled"}}}))
	want := "spec.containers[0].volumeMounts[0].recursiveReadOnly: Disabled is not honoured: a read-only mount is read-only all the way down on this node"
	if len(warns) != 1 || warns[0] != want {
		t.Errorf("warnings %q, want %q", warns, want)
	}
}
