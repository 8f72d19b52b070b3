package podspec

import (
	"slices"
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
		if got := ResolveArgs(ep, cmd, tc.command, tc.args, env); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestResolveArgsDoesNotAliasImageSlices(t *testing.T) {
	ep := make([]string, 1, 10)
	ep[0] = "/entry"
	got := ResolveArgs(ep, []string{"x"}, nil, nil, nil)
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
	got := ExpandStatic([]string{"x$(A)", "[$(B)]", "$(C)", "$(PATH)", "$$(A)"}, env)
	want := []string{"xtwo", "[]", "$(A)", "$(PATH)", "$(A)"}
	if !slices.Equal(got, want) {
		t.Errorf("ExpandStatic = %q, want %q", got, want)
	}
	// With no env at all, $$ is still an escape, as for the kubelet.
	if got := ExpandStatic([]string{"$(A) $$ $$(A)"}, nil); !slices.Equal(got, []string{"$(A) $ $(A)"}) {
		t.Errorf("no env: %q", got)
	}
}
