package test

import (
	"strings"
	"testing"
	"time"
)

// TestUpPrintsAPIServerWarnings: `up` prints the API server's warnings for
// what the pod says (here a seccomp annotation that stopped working in
// v1.27 and a variable defined twice), as kubectl does, and the pod runs.
func TestUpPrintsAPIServerWarnings(t *testing.T) {
	root(t)
	name := podName("apiwarn")
	r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo $A; sleep 3600"]
    env:
    - {name: A, value: one}
    - {name: A, value: two}
`, name))
	requireCreated(t, name, r)
	for _, w := range []string{
		`metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead`,
		`spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply`,
	} {
		if !strings.Contains(r.stderr, "Warning: ") || !strings.Contains(r.stderr, w) {
			t.Errorf("up does not warn %q:\n%s", w, r.stderr)
		}
	}
	waitFor(t, 30*time.Second, "the container's output", func() bool { return strings.TrimSpace(mp(t, "logs", name).stdout) == "two" })
}
