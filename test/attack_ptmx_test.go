package test

import (
	"bytes"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ptmxPod replaces /dev/ptmx, which lives in the container's writable /dev,
// with a substitute that reports being opened: a regular file under a read
// lease (whose opener the kernel also stalls for lease-break-time, 45 s by
// default) and a FIFO.
const ptmxPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: lease
    image: ` + attackImage + `
    command: ["sh", "-c", "rm -f /dev/ptmx && /attack lease /dev/ptmx 300 & ` + idle + `"]
  - name: fifo
    image: ` + attackImage + `
    command: ["sh", "-c", "rm -f /dev/ptmx && /attack fifo-watch /dev/ptmx 300 & ` + idle + `"]
`

// ptmxBound is how long `exec -t` may take against a hostile /dev/ptmx.
const ptmxBound = 10 * time.Second

// TestAttackExecPtmx: `exec -t` opened /dev/ptmx by path, as root, in the
// container's writable /dev. With that path replaced it must neither hang
// nor open the substitute: it works (a real pty of the container's devpts)
// or fails at once with an error about the terminal.
func TestAttackExecPtmx(t *testing.T) {
	root(t)
	needAttackImage(t)
	name := podName("atk-ptmx")
	upPod(t, name, tmpl(ptmxPod, name))
	for ctr, ready := range map[string]string{"lease": "leased /dev/ptmx", "fifo": "watching /dev/ptmx"} {
		t.Run(ctr, func(t *testing.T) {
			waitLog(t, name, ctr, ready, 20*time.Second)
			code, out, errOut, took := execBounded(t, ptmxBound, "exec", "-t", name, "-c", ctr, "--", "tty")
			switch {
			case took >= ptmxBound:
				t.Errorf("exec -t hung on the container's /dev/ptmx substitute (killed after %v)", ptmxBound)
			case code == 0 && !regexp.MustCompile(`^/dev/pts/\d+\r?\n$`).MatchString(out):
				t.Errorf("exec -t tty succeeded but printed %q, want /dev/pts/N", out)
			case code != 0 && !regexp.MustCompile(`(?i)pty|ptmx|terminal|tty`).MatchString(errOut):
				t.Errorf("exec -t failed without saying why in terms of the terminal: exit %d, stderr %q", code, errOut)
			}
			if logs := mp(t, "logs", name, "-c", ctr).stdout; strings.Contains(logs, "OPENED") {
				t.Errorf("exec -t opened the container's substitute for /dev/ptmx:\n%s", logs)
			}
		})
	}
}

// execBounded runs minipod with args, killing it after bound; it returns
// the exit code, stdout, stderr and how long it ran.
func execBounded(t *testing.T, bound time.Duration, args ...string) (int, string, string, time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	code := runCode(t, cmd)
	took := time.Since(start)
	if ctx.Err() != nil {
		took = bound
	}
	return code, out.String(), errb.String(), took
}
