package test

import (
	"strings"
	"testing"
	"time"
)

// escapes is what a hostile container or manifest writes for the
// operator's terminal: a window title, a screen clear, and CSI in its
// one-character (C1) form.
const escapes = "\x1b]0;PWNED\x07\x1b[2J\u009b31m"

// TestAttackTerminalEscapes: text a container wrote (its termination
// message, its probe's output) and text a manifest wrote (an image name
// or an image volume's reference, which the kubelet does not parse until
// it pulls; a mount path, which describe lists) reach the operator
// through describe, get and up's messages. They must arrive as text: no
// control character but newline and tab may reach the terminal, while
// get -o json still carries the exact message.
func TestAttackTerminalEscapes(t *testing.T) {
	root(t)
	name := podName("atk-term")
	tmplText := `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: ends
    image: busybox
    command: ["sh", "-c", "printf '\\033]0;PWNED\\007\\033[2J\\302\\23331m' > /dev/termination-log; exit 3"]
  - name: probed
    image: busybox
    command: ["sh", "-c", "sleep 3600"]
    readinessProbe:
      exec: {command: ["sh", "-c", "printf '\\033]0;PWNED\\007\\033[2J\\302\\23331m'; exit 1"]}
      periodSeconds: 1
  - name: named
    image: "busybox\u001b[2J"
  - name: mounts
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: img, mountPath: "/v\u001b]0;PWNED\u0007"}
  volumes:
  - name: img
    image: {reference: "busybox\u001b]0;PWNED\u0007:v1", pullPolicy: IfNotPresent}
`
	r := tryUp(t, name, tmpl(tmplText, name))
	if r.code == 0 || !strings.Contains(r.stderr, "InvalidImageName") {
		t.Fatalf("up: %s\nwant a failure naming InvalidImageName", r)
	}
	noControls(t, "up's stderr", r.stderr)
	waitFor(t, 20*time.Second, "the termination message and a failed probe", func() bool {
		term := getPod(t, name).Status.ContainerStatuses[0].State.Terminated
		return term != nil && strings.Contains(mustMP(t, "describe", name), "Readiness probe failed")
	})
	desc := mustMP(t, "describe", name)
	noControls(t, "describe", desc)
	for _, shown := range []string{`Reference:   busybox\u001b]0;PWNED\u0007:v1`, `/v\u001b]0;PWNED\u0007 from img (rw)`} {
		if !strings.Contains(desc, shown) {
			t.Errorf("describe does not show the image volume's text as text (%s):\n%s", shown, desc)
		}
	}
	noControls(t, "get", mustMP(t, "get", name))
	noControls(t, "get -o wide", mustMP(t, "get", "-o", "wide", name))
	noControls(t, "get -o yaml", mustMP(t, "get", "-o", "yaml", name))
	p := getPod(t, name)
	if term := p.Status.ContainerStatuses[0].State.Terminated; term == nil || term.Message != escapes {
		t.Errorf("get -o json: container ends: %+v, want its message exactly %q", p.Status.ContainerStatuses[0].State, escapes)
	}
}

// noControls fails the test if out holds a control character other than
// newline and tab (C0, DEL, C1).
func noControls(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			t.Errorf("%s printed control character %U: %q", what, r, out)
			return
		}
	}
}
