package test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// TestAttackExpansionBomb: thirty variables, each its predecessor twice
// over, would expand to a terabyte from a few kilobytes of manifest (a
// kubelet builds what they name). The monitor stops at the bound of what
// any execve takes: the container waits in CreateContainerConfigError,
// never started, and the monitor is still there to answer.
func TestAttackExpansionBomb(t *testing.T) {
	root(t)
	name := podName("expbomb")
	r := tryUp(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: bomb
    image: busybox
    command: ["sh", "-c", "sleep 3600"]
    env:
    - {name: V0, value: "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}
    - {name: V1, value: "$(V0)$(V0)"}
    - {name: V2, value: "$(V1)$(V1)"}
    - {name: V3, value: "$(V2)$(V2)"}
    - {name: V4, value: "$(V3)$(V3)"}
    - {name: V5, value: "$(V4)$(V4)"}
    - {name: V6, value: "$(V5)$(V5)"}
    - {name: V7, value: "$(V6)$(V6)"}
    - {name: V8, value: "$(V7)$(V7)"}
    - {name: V9, value: "$(V8)$(V8)"}
    - {name: V10, value: "$(V9)$(V9)"}
    - {name: V11, value: "$(V10)$(V10)"}
    - {name: V12, value: "$(V11)$(V11)"}
    - {name: V13, value: "$(V12)$(V12)"}
    - {name: V14, value: "$(V13)$(V13)"}
    - {name: V15, value: "$(V14)$(V14)"}
    - {name: V16, value: "$(V15)$(V15)"}
    - {name: V17, value: "$(V16)$(V16)"}
    - {name: V18, value: "$(V17)$(V17)"}
    - {name: V19, value: "$(V18)$(V18)"}
    - {name: V20, value: "$(V19)$(V19)"}
    - {name: V21, value: "$(V20)$(V20)"}
    - {name: V22, value: "$(V21)$(V21)"}
    - {name: V23, value: "$(V22)$(V22)"}
    - {name: V24, value: "$(V23)$(V23)"}
    - {name: V25, value: "$(V24)$(V24)"}
    - {name: V26, value: "$(V25)$(V25)"}
    - {name: V27, value: "$(V26)$(V26)"}
    - {name: V28, value: "$(V27)$(V27)"}
    - {name: V29, value: "$(V28)$(V28)"}
    - {name: V30, value: "$(V29)$(V29)"}
`, name))
	if r.code == 0 || !strings.Contains(r.stderr, "CreateContainerConfigError") {
		t.Errorf("up -d: %s\nwant it to fail with the config error", r)
	}
	p := waitPod(t, name, 20*time.Second, "the config error", func(p *corev1.Pod) bool {
		w := ctrStatus(t, p, "bomb").State.Waiting
		return w != nil && w.Reason == "CreateContainerConfigError"
	})
	if s := ctrStatus(t, p, "bomb"); !strings.Contains(s.State.Waiting.Message, "more than") || s.RestartCount != 0 {
		t.Errorf("bomb: %+v; want waiting, the bound named, never started", s.State.Waiting)
	}
}
