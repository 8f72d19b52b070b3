package test

import (
	"os"
	"strings"
	"testing"
)

// ptracePausePod shares its PID namespace, so pause is PID 1 of every
// container, and gives its container SYS_PTRACE, which lets it open the
// descriptors of a process that is not dumpable: /proc/1/fd/N.
const ptracePausePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  containers:
  - name: attack
    image: {{IMAGE}}
    command: ["sh", "-c", "` + idle + `"]
    securityContext:
      capabilities:
        add: ["SYS_PTRACE"]
`

// pauseFdProbe lists pause's descriptors as the container sees them and
// tries to open each for writing.
const pauseFdProbe = `for f in /proc/1/fd/*; do
  echo "FD $f $(readlink "$f")"
  if echo {{MARK}} >> "$f"; then echo "WROTE $f $(readlink "$f")"; fi
done 2>/dev/null; true`

// TestAttackPauseDescriptors: with SYS_PTRACE in a shared PID namespace a
// container opens whatever pause (PID 1) holds. Pause used to hold the
// monitor's log as stdout and stderr (a host file on /run, memory: written
// there without bound), the read end of its lifeline as a pipe (opened for
// writing, it would have kept pause and the pod's namespaces alive past a
// dead monitor) and its cgroup's CPU quota files (Go's runtime keeps them
// open). Only /dev/null, sockets and anonymous inodes may be left, and only
// /dev/null may open for writing.
func TestAttackPauseDescriptors(t *testing.T) {
	root(t)
	name := podName("atk-pausefd")
	upPod(t, name, tmpl(ptracePausePod, name, "IMAGE", "busybox"))
	mark := "MARK-" + name
	out := execOut(t, name, "attack", "sh", "-c", strings.ReplaceAll(pauseFdProbe, "{{MARK}}", mark))
	fds := 0
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		target := ""
		if len(f) > 2 {
			target = f[2]
		}
		switch f[0] {
		case "FD":
			fds++
			if target != "/dev/null" && !strings.HasPrefix(target, "socket:") && !strings.HasPrefix(target, "anon_inode:") {
				t.Errorf("pause holds %s -> %q, open to the container", f[1], target)
			}
		case "WROTE":
			if target != "/dev/null" {
				t.Errorf("the container wrote through pause's %s -> %q", f[1], target)
			}
		}
	}
	if fds == 0 {
		t.Fatalf("the container saw no descriptor of pause (is SYS_PTRACE there?):\n%s", out)
	}
	log, err := os.ReadFile("/run/minipod/" + name + "/monitor.log")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(log), mark) {
		t.Errorf("the container wrote into the monitor's log through pause")
	}
}

// TestAttackPauseUnfiltered: a container given SYS_PTRACE in a shared PID
// namespace can trace pause (PID 1) and make it call what the container's
// own seccomp filter denies; pause is under the default profile too. The
// attack turns pause's next system call into keyctl (the keyring is not
// namespaced, and the default profile denies it to every container).
func TestAttackPauseUnfiltered(t *testing.T) {
	root(t)
	needAttackImage(t)
	name := podName("atk-pauseseccomp")
	upPod(t, name, tmpl(ptracePausePod, name, "IMAGE", attackImage))
	out := execOut(t, name, "attack", "/attack", "ptrace-keyctl", "1")
	if !strings.Contains(out, "direct: EPERM\n") {
		t.Fatalf("the container's own keyctl was not denied, the attack proves nothing:\n%s", out)
	}
	if !strings.Contains(out, "via 1: EPERM\n") {
		t.Errorf("pause made a system call the pod's seccomp profile denies:\n%s", out)
	}
}
