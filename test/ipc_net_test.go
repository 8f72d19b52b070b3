package test

import (
	"strings"
	"testing"
	"time"
)

const ipcProducerPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: producer
    image: allingeek/ch6_ipc
    command: ["/ipc", "-producer", "-queue", "{{QUEUE}}", "-count", "3"]
  - name: sleeper
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
`

const ipcConsumerPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: consumer
    image: allingeek/ch6_ipc
    command: ["/ipc", "-consumer", "-queue", "{{QUEUE}}", "-wait", "2s"]
`

// TestIPCIsolatedBetweenPods: a message queue made in one pod is invisible
// to another pod, since each pod has its own IPC namespace.
func TestIPCIsolatedBetweenPods(t *testing.T) {
	root(t)
	queue := podName("q")
	a, b := podName("ipc-a"), podName("ipc-b")
	upPod(t, a, tmpl(ipcProducerPod, a, "QUEUE", queue))
	waitFor(t, 30*time.Second, "the producer to finish", func() bool {
		s := ctrStatus(t, getPod(t, a), "producer")
		return s.State.Terminated != nil
	})
	if s := ctrStatus(t, getPod(t, a), "producer"); s.State.Terminated.ExitCode != 0 {
		t.Fatalf("producer failed: %+v\n%s", s.State.Terminated, mp(t, "logs", a, "-c", "producer"))
	}
	if ls := execOut(t, a, "sleeper", "ls", "/dev/mqueue"); !strings.Contains(ls, queue) {
		t.Errorf("pod %s: /dev/mqueue lists %q, want the queue %s", a, ls, queue)
	}

	r := tryUp(t, b, tmpl(ipcConsumerPod, b, "QUEUE", queue))
	if r.code != 0 {
		t.Logf("up of the consumer pod: %s", r) // it may fail before up returns
	}
	waitStatus(t, b, "Error", 60*time.Second)
	s := ctrStatus(t, getPod(t, b), "consumer")
	if s.State.Terminated == nil || s.State.Terminated.ExitCode == 0 {
		t.Errorf("consumer state %+v, want terminated non-zero", s.State)
	}
	logs := mustMP(t, "logs", b, "-c", "consumer")
	if !strings.Contains(logs, "/"+queue+" does not exist") {
		t.Errorf("consumer's log does not say the queue is missing:\n%s", logs)
	}
	if strings.Contains(logs, "Consumed:") {
		t.Errorf("consumer read from another pod's queue:\n%s", logs)
	}
	if ls := execOut(t, a, "sleeper", "ls", "/dev/mqueue"); !strings.Contains(ls, queue) {
		t.Errorf("pod %s lost its queue: /dev/mqueue lists %q", a, ls)
	}
}

const localhostPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello from {{NAME}} > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"]
  - name: client
    image: busybox
    command: ["sh", "-c", "` + idle + `"]
`

// TestLocalhostBetweenContainers: containers of a pod share the network
// namespace, so one reaches the other's server on 127.0.0.1.
func TestLocalhostBetweenContainers(t *testing.T) {
	root(t)
	name := podName("localhost")
	upPod(t, name, tmpl(localhostPod, name))
	var r result
	waitFor(t, 30*time.Second, "the page over localhost", func() bool {
		r = mp(t, "exec", name, "-c", "client", "--", "wget", "-qO-", "http://127.0.0.1:8080/")
		return r.code == 0
	})
	if want := "hello from " + name + "\n"; r.stdout != want {
		t.Errorf("client got %q, want %q", r.stdout, want)
	}
	// The client's own file system has no /www: the answer came over TCP.
	if r := mp(t, "exec", name, "-c", "client", "--", "ls", "/www"); r.code == 0 {
		t.Errorf("client sees web's /www: %s", r)
	}
}
