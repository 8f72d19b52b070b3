package test

import (
	"strings"
	"testing"
)

// TestAttackSeccomp: containers ran without a seccomp filter, so a
// container could make a user namespace (unshare -r) and mount in it,
// reaching kernel code meant for real root. By default every container
// process (main and exec'd) is in seccomp filter mode (Seccomp: 2), which
// refuses that, and no_new_privs stays off (Kubernetes sets it only for
// allowPrivilegeEscalation: false). The container's securityContext turns
// no_new_privs on (allowPrivilegeEscalation: false) or the filter off
// (seccompProfile Unconfined).
func TestAttackSeccomp(t *testing.T) {
	root(t)
	needAttackImage(t)
	for _, c := range []struct {
		name, securityContext string
		seccomp, noNewPrivs   string
	}{
		{"default", "", "2", "0"},
		{"allowPrivilegeEscalation false", "    securityContext: {allowPrivilegeEscalation: false}\n", "2", "1"},
		{"seccompProfile Unconfined", "    securityContext: {seccompProfile: {type: Unconfined}}\n", "0", "0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			name := podName("atk-seccomp")
			upPod(t, name, attackPodText(name, idleCommand, "", c.securityContext))
			for who, status := range map[string]string{
				"main process":   execOut(t, name, "", "cat", "/proc/1/status"),
				"exec'd process": execOut(t, name, "", "/attack", "caps"),
			} {
				if got := statusLine(status, "Seccomp"); got != c.seccomp {
					t.Errorf("%s: Seccomp %q, want %s", who, got, c.seccomp)
				}
				if got := statusLine(status, "NoNewPrivs"); got != c.noNewPrivs {
					t.Errorf("%s: NoNewPrivs %q, want %s", who, got, c.noNewPrivs)
				}
			}
			if c.seccomp == "2" {
				r := mp(t, "exec", name, "--", "unshare", "-r", "-m", "sh", "-c", "mount -t tmpfs none /tmp && echo MOUNTED")
				if r.code == 0 || strings.Contains(r.stdout, "MOUNTED") {
					t.Errorf("a user namespace let the container mount: %s", r)
				}
			}
		})
	}
}
