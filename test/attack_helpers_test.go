package test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// attackImage is the hostile container of the attack tests: busybox plus
// /attack (rootfs/attacker, built by `make images`).
const attackImage = "minipod-attacker"

// needAttackImage fails (never skips) a test whose image was not built:
// an attack test that does not run must not look like one that passed.
func needAttackImage(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(imagesRoot + "/" + attackImage + "/latest/rootfs/attack"); err != nil {
		t.Fatalf("image %s missing (sudo scripts/build-images.sh %s): %v", attackImage, attackImage, err)
	}
}

// attackPod is a one-container pod of the attacker image running COMMAND
// (a JSON array); {{EXTRA}} is more of the container's YAML (indented by
// four spaces), {{SPEC}} more of the pod spec (two spaces).
const attackPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
{{SPEC}}  containers:
  - name: main
    image: ` + attackImage + `
    command: {{COMMAND}}
{{EXTRA}}`

// idleCommand keeps a container running until it is stopped.
const idleCommand = `["sh", "-c", "` + idle + `"]`

// attackPodText fills attackPod in; spec and extra may be "".
func attackPodText(name, command, spec, extra string) string {
	return tmpl(attackPod, name, "COMMAND", command, "SPEC", spec, "EXTRA", extra)
}

// waitLog waits until container ctr of pod has logged want and returns
// its log.
func waitLog(t *testing.T, pod, ctr, want string, timeout time.Duration) string {
	t.Helper()
	var out string
	waitFor(t, timeout, ctr+" logging "+strconv.Quote(want), func() bool {
		out = mp(t, "logs", pod, "-c", ctr).stdout
		return strings.Contains(out, want)
	})
	return out
}

// statusLine returns the value of field key ("CapEff") in a
// /proc/PID/status text, "" if absent.
func statusLine(status, key string) string {
	for _, l := range lines(status) {
		if k, v, ok := strings.Cut(l, ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
