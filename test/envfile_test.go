package test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// ---- Define Environment Variable Values Using An Init Container
// https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-via-file/

// TestK8sDocsEnvFile (envars-file-container.yaml): the init container
// writes config.env into an emptyDir the app container does not mount;
// the app container's DB_ADDRESS comes from it (fileKeyRef), and its
// `env` prints DB_ADDRESS=address, as the page shows.
func TestK8sDocsEnvFile(t *testing.T) {
	root(t)
	name, r, timedOut := upDoc(t, "pods/inject/envars-file-container.yaml", cmdTimeout)
	if timedOut || r.code != 0 {
		t.Fatalf("up (timed out: %v): %s", timedOut, r)
	}
	waitPod(t, name, 30*time.Second, "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	logs := mustMP(t, "logs", name)
	if !strings.Contains("\n"+logs, "\nDB_ADDRESS=address\n") || strings.Contains(logs, "REST_ENDPOINT") {
		t.Errorf("env printed:\n%s\nwant DB_ADDRESS=address and no REST_ENDPOINT", logs)
	}
}

// envFilePod's init container writes {{FILE}} in the emptyDir as the
// shell script {{WRITE}} says; the app container takes K from it.
const envFilePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: write
    image: busybox
    command: ["sh", "-c", "{{WRITE}}"]
    volumeMounts:
    - {name: config, mountPath: /data}
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo K=$K; ` + idle + `"]
    env:
    - name: K
      valueFrom:
        fileKeyRef: {volumeName: config, path: {{FILE}}, key: K{{OPT}}}
  volumes:
  - {name: config, emptyDir: {}}
`

// TestEnvFileHostile: what a container can leave where the monitor reads
// an env file does not reach the host's files nor stall the monitor: a
// link to the host's /etc/hostname is resolved inside the volume (no such
// file there), a FIFO and an oversized file are refused, and a malformed
// file is an error; each keeps the container waiting in
// CreateContainerConfigError with the reason, and the monitor answers
// (describe and get go on working: its record is current). An optional reference to a missing file
// leaves the variable unset and the container runs.
func TestEnvFileHostile(t *testing.T) {
	root(t)
	cases := []struct {
		name, write, file, opt, reason string
	}{
		{"link", "ln -s /etc/hostname /data/config.env", "config.env", "", "couldn't find env file config.env in volume config"},
		{"fifo", "mkfifo /data/config.env", "config.env", "", "is not a regular file"},
		{"big", "head -c 70000 /dev/zero > /data/config.env", "config.env", "", "is larger than 65536 bytes"},
		{"bad", "echo K=unquoted > /data/config.env", "config.env", "", "not in single quotes"},
		{"parent", "true", "sub/../../config.env", "", "must not contain '..'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			name := podName("envfile-" + c.name)
			r := tryUp(t, name, tmpl(envFilePod, name, "WRITE", c.write, "FILE", c.file, "OPT", c.opt))
			// A missing file is waited for, as a missing ConfigMap: up
			// returns with the pod Pending and says why; the others fail.
			if !strings.Contains(r.stderr, c.reason) || (r.code == 0) != (c.name == "link") {
				t.Errorf("up: %s\nwant it to name %q", r, c.reason)
			}
			if c.name == "parent" {
				return // refused before anything was made
			}
			cs := getPod(t, name).Status.ContainerStatuses[0]
			if w := cs.State.Waiting; w == nil || w.Reason != "CreateContainerConfigError" || !strings.Contains(w.Message, c.reason) {
				t.Errorf("container: %+v, want waiting CreateContainerConfigError naming %q", cs.State, c.reason)
			}
		})
	}
	t.Run("optional", func(t *testing.T) {
		name := podName("envfile-opt")
		upPod(t, name, tmpl(envFilePod, name, "WRITE", "true", "FILE", "absent.env", "OPT", ", optional: true"))
		waitFor(t, 10*time.Second, "the container's output", func() bool { return strings.Contains(mustMP(t, "logs", name), "K=\n") })
		if env := mustMP(t, "exec", name, "--", "env"); strings.Contains(env, "\nK=") || strings.HasPrefix(env, "K=") {
			t.Errorf("K is set:\n%s", env)
		}
	})
}
