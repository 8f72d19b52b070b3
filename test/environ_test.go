package test

import (
	"slices"
	"strings"
	"testing"
)

// TestContainerEnvironIsItsOwn: a container's first process gets exactly
// the environment of its spec, the one `exec` gives too, and nothing of
// the environment minipod's own init runs with (its Go runtime settings)
// on the way.
func TestContainerEnvironIsItsOwn(t *testing.T) {
	root(t)
	name := podName("environ")
	upPod(t, name, tmpl(oneIdlePod, name))

	first := strings.Split(strings.TrimRight(execOut(t, name, "main", "cat", "/proc/1/environ"), "\x00"), "\x00")
	execd := strings.Split(strings.TrimRight(execOut(t, name, "main", "env"), "\n"), "\n")
	slices.Sort(first)
	slices.Sort(execd)
	if !slices.Equal(first, execd) {
		t.Errorf("environment of the container's process 1:\n%q\nwant the spec's, as exec has it:\n%q", first, execd)
	}
	for _, v := range first {
		if strings.HasPrefix(v, "GO") {
			t.Errorf("the container's process 1 has %s: init's environment leaked into it", v)
		}
	}
	if !slices.ContainsFunc(first, func(v string) bool { return strings.HasPrefix(v, "HOSTNAME="+name) }) {
		t.Errorf("environment of the container's process 1 lacks HOSTNAME=%s: %q", name, first)
	}
}
