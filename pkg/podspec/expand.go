package podspec

import (
	"fmt"
	"strings"
)

// Expand replaces $(VAR) references in s using lookup, with Kubernetes'
// rules (k8s third_party/forked/golang/expansion):
//
//   - $(NAME) becomes lookup(NAME) when found, else stays "$(NAME)" verbatim;
//   - $$ becomes a single $, so $$(NAME) yields the literal "$(NAME)";
//   - a $ followed by anything else, a trailing $, or an unclosed "$(" is
//     kept as written.
//
// An expansion longer than MaxExpanded stops there (see ExpandChecked).
func Expand(s string, lookup func(string) (string, bool)) string {
	out, _ := expand(s, lookup)
	return out
}

// MaxExpanded bounds one expanded string, and MaxExpandedTotal a
// container's environment, or its command and args together. The kernel
// takes at most 128 KiB per argument or variable and a few MiB in all, so
// nothing longer could run; and references that multiply (B is $(A)$(A), C
// is $(B)$(B), ...) must not make the monitor build gigabytes from a few
// lines of a manifest.
const (
	MaxExpanded      = 1 << 20
	MaxExpandedTotal = 16 << 20
)

// ExpandChecked is Expand that fails where the result would be longer
// than MaxExpanded.
func ExpandChecked(s string, lookup func(string) (string, bool)) (string, error) {
	out, ok := expand(s, lookup)
	if !ok {
		return "", fmt.Errorf("expands to more than %d bytes", MaxExpanded)
	}
	return out, nil
}

// expand is Expand, with ok false (and the result cut) once it is longer
// than MaxExpanded.
func expand(s string, lookup func(string) (string, bool)) (string, bool) {
	if !strings.Contains(s, "$") {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		text, consumed := expandAt(s[i+1:], lookup)
		b.WriteString(text)
		i += consumed
		if b.Len() > MaxExpanded {
			return b.String()[:MaxExpanded], false
		}
	}
	return b.String(), true
}

// expandAll expands each of strs, within MaxExpanded each and
// MaxExpandedTotal in all.
func expandAll(strs []string, lookup func(string) (string, bool)) ([]string, error) {
	out := make([]string, 0, len(strs))
	total := 0
	for _, s := range strs {
		v, err := ExpandChecked(s, lookup)
		if err != nil {
			return nil, err
		}
		if total += len(v); total > MaxExpandedTotal {
			return nil, fmt.Errorf("expand to more than %d bytes in all", MaxExpandedTotal)
		}
		out = append(out, v)
	}
	return out, nil
}

// expandAt reads what follows a '$' and returns its replacement and how many
// bytes after the '$' it consumed.
func expandAt(rest string, lookup func(string) (string, bool)) (string, int) {
	switch rest[0] {
	case '$':
		return "$", 1
	case '(':
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return "$(", 1
		}
		name := rest[1:end]
		if v, ok := lookup(name); ok {
			return v, end + 1
		}
		return "$(" + name + ")", end + 1
	default:
		return "$" + rest[:1], 1
	}
}

// ExpandStatic expands $(VAR) in an exec probe's command as the kubelet's
// prober does: against the container's env entries alone, each with its
// literal value as written (an entry with valueFrom has the empty one),
// later entries winning; envFrom, the image's env and the Services'
// variables are not seen.
func ExpandStatic(command []string, env []EnvVar) ([]string, error) {
	vars := make(map[string]string, len(env))
	for _, e := range env {
		vars[e.Name] = e.Value
	}
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	out, err := expandAll(command, lookup)
	if err != nil {
		return nil, fmt.Errorf("command: %w", err)
	}
	return out, nil
}

// envLookup indexes "K=V" pairs (later ones win) for Expand.
func envLookup(env []string) func(string) (string, bool) {
	vars := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// ResolveArgs applies Kubernetes' rules for the process argv:
//
//   - neither command nor args: image Entrypoint + Cmd, not expanded;
//   - command only: command (image Entrypoint and Cmd both ignored);
//   - args only: image Entrypoint + args;
//   - both: command + args.
//
// $(VAR) in command and args is expanded against env ("K=V" pairs): the
// kubelet's are DeclaredEnv's, without the image's env.
func ResolveArgs(entrypoint, cmd, command, args []string, env []string) ([]string, error) {
	if len(command) == 0 && len(args) == 0 {
		return append(append([]string{}, entrypoint...), cmd...), nil
	}
	expanded, err := expandAll(append(append([]string{}, command...), args...), envLookup(env))
	if err != nil {
		return nil, fmt.Errorf("command and args: %w", err)
	}
	if len(command) == 0 {
		return append(append([]string{}, entrypoint...), expanded...), nil
	}
	return expanded, nil
}
