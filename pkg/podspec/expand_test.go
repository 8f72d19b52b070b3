package podspec

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"VAR": "value", "VAR2": "two", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	cases := map[string]string{
		"":                "",
		"plain":           "plain",
		"$(VAR)":          "value",
		"$(VAR)s":         "values",
		"$(VAR)$(VAR2)":   "valuetwo",
		"$(VAR)-$(VAR)":   "value-value",
		"$(EMPTY)":        "",
		"$(UNKNOWN)":      "$(UNKNOWN)",
		"$$(VAR)":         "$(VAR)",
		"$$$(VAR)":        "$value",
		"$$$$(VAR)":       "$$(VAR)",
		"$$":              "$",
		"$$$":             "$$",
		"$":               "$",
		"foo$":            "foo$",
		"$VAR":            "$VAR",
		"$(VAR":           "$(VAR",
		"$()":             "$()",
		"(VAR)":           "(VAR)",
		"$(VAR$(VAR2))":   "$(VAR$(VAR2))",
		"a $(VAR) b":      "a value b",
		"héllo $(VAR) ü$": "héllo value ü$",
	}
	for in, want := range cases {
		if got := Expand(in, lookup); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveArgs(t *testing.T) {
	ep, cmd := []string{"/entry", "$(A)"}, []string{"cmd-arg"}
	env := []string{"A=1", "B=2"}
	cases := []struct {
		name          string
		command, args []string
		want          []string
	}{
		{"image defaults, not expanded", nil, nil, []string{"/entry", "$(A)", "cmd-arg"}},
		{"command replaces entrypoint and cmd", []string{"/bin/sh", "-c", "echo $(A)"}, nil, []string{"/bin/sh", "-c", "echo 1"}},
		{"args replace cmd only", nil, []string{"$(B)", "$$(B)"}, []string{"/entry", "$(A)", "2", "$(B)"}},
		{"both", []string{"run"}, []string{"$(A)", "$(MISSING)"}, []string{"run", "1", "$(MISSING)"}},
	}
	for _, tc := range cases {
		if got, err := ResolveArgs(ep, cmd, tc.command, tc.args, env); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestResolveArgsDoesNotAliasImageSlices(t *testing.T) {
	ep := make([]string, 1, 10)
	ep[0] = "/entry"
	got, _ := ResolveArgs(ep, []string{"x"}, nil, nil, nil)
	got[0] = "changed"
	if ep[0] != "/entry" {
		t.Error("ResolveArgs wrote into the image entrypoint slice")
	}
}

// TestExpandStatic: an exec probe's command sees the container's env
// entries as written, valueFrom ones empty, later ones winning; $$ escapes.
func TestExpandStatic(t *testing.T) {
	env := []EnvVar{
		{Name: "A", Value: "one"},
		{Name: "B", ValueFrom: &EnvVarSource{FieldRef: &ObjectFieldSelector{FieldPath: "metadata.name"}}},
		{Name: "A", Value: "two"},
		{Name: "C", Value: "$(A)"},
	}
	got, _ := ExpandStatic([]string{"x$(A)", "[$(B)]", "$(C)", "$(PATH)", "$$(A)"}, env)
	want := []string{"xtwo", "[]", "$(A)", "$(PATH)", "$(A)"}
	if !slices.Equal(got, want) {
		t.Errorf("ExpandStatic = %q, want %q", got, want)
	}
	// With no env at all, $$ is still an escape, as for the kubelet.
	if got, _ := ExpandStatic([]string{"$(A) $$ $$(A)"}, nil); !slices.Equal(got, []string{"$(A) $ $(A)"}) {
		t.Errorf("no env: %q", got)
	}
}

// TestExpandBounded: references that multiply cannot make an expansion
// grow without bound: one string stops past MaxExpanded, a list past
// MaxExpandedTotal, and the environment is bounded as it is built.
func TestExpandBounded(t *testing.T) {
	big := strings.Repeat("x", 600<<10)
	lookup := func(string) (string, bool) { return big, true }
	if _, err := ExpandChecked("$(A)$(A)", lookup); err == nil {
		t.Error("1.2 MiB expanded without an error")
	}
	if got := Expand("$(A)$(A)$(A)", lookup); len(got) != MaxExpanded {
		t.Errorf("Expand returned %d bytes, want it cut at %d", len(got), MaxExpanded)
	}
	many := make([]string, 40)
	for i := range many {
		many[i] = "$(A)" // 40 x 600 KiB: more than MaxExpandedTotal
	}
	if _, err := ExpandStatic(many, []EnvVar{{Name: "A", Value: big}}); err == nil {
		t.Error("a 24 MiB probe command expanded without an error")
	}
	if _, err := ResolveArgs(nil, nil, many, nil, []string{"A=" + big}); err == nil || !strings.Contains(err.Error(), "command and args") {
		t.Errorf("a 24 MiB command: %v", err)
	}
	// B doubles A, C doubles B, ...: 2^30 copies if nothing stopped it.
	env := []EnvVar{{Name: "V0", Value: strings.Repeat("y", 1024)}}
	for i := 1; i <= 30; i++ {
		env = append(env, EnvVar{Name: fmt.Sprintf("V%d", i), Value: fmt.Sprintf("$(V%d)$(V%d)", i-1, i-1)})
	}
	pod := &Pod{}
	pod.Name, pod.Namespace = "p", "default"
	c := &Container{Name: "c", Env: env}
	if _, err := DeclaredEnv(NewManifest(), pod, c, EnvSources{}); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("doubling environment: %v", err)
	}
}
