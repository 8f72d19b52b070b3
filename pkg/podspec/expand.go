package podspec

import "strings"

// Expand replaces $(VAR) references in s using lookup, with Kubernetes'
// rules (k8s third_party/forked/golang/expansion):
//
//   - $(NAME) becomes lookup(NAME) when found, else stays "$(NAME)" verbatim;
//   - $$ becomes a single $, so $$(NAME) yields the literal "$(NAME)";
//   - a $ followed by anything else, a trailing $, or an unclosed "$(" is
//     kept as written.
func Expand(s string, lookup func(string) (string, bool)) string {
	if !strings.Contains(s, "$") {
		return s
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
	}
	return b.String()
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
func ExpandStatic(command []string, env []EnvVar) []string {
	vars := make(map[string]string, len(env))
	for _, e := range env {
		vars[e.Name] = e.Value
	}
	lookup := func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
	out := make([]string, 0, len(command))
	for _, s := range command {
		out = append(out, Expand(s, lookup))
	}
	return out
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
func ResolveArgs(entrypoint, cmd, command, args []string, env []string) []string {
	if len(command) == 0 && len(args) == 0 {
		return append(append([]string{}, entrypoint...), cmd...)
	}
	lookup := envLookup(env)
	out := make([]string, 0, len(command)+len(args)+len(entrypoint))
	if len(command) == 0 {
		out = append(out, entrypoint...)
	}
	for _, s := range command {
		out = append(out, Expand(s, lookup))
	}
	for _, s := range args {
		out = append(out, Expand(s, lookup))
	}
	return out
}
