package test

import (
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestBadManifests: a manifest minipod cannot run fails `up` with an error
// naming the field, and leaves nothing behind.
func TestBadManifests(t *testing.T) {
	testutil.RequiresRoot(t)
	t.Parallel()
	cases := []struct {
		name     string
		podName  string // "" for a fresh unique name
		spec     string // the lines under spec:
		wantErrs []string
	}{{
		name: "unknown field",
		spec: `  containers:
  - name: a
    imagee: busybox`,
		wantErrs: []string{"spec.containers[0].imagee", "unknown field"},
	}, {
		name: "duplicate container name",
		spec: `  containers:
  - name: a
    image: busybox
  - name: a
    image: busybox`,
		wantErrs: []string{`spec.containers[1].name: Duplicate value: "a"`},
	}, {
		// The documentation's restart-all-containers.yaml asks for an
		// alpha action, which the API server refuses on a sidecar.
		name: "restart rules on a sidecar",
		spec: `  initContainers:
  - name: watcher
    image: busybox
    restartPolicy: Always
    restartPolicyRules:
    - action: RestartAllContainers
      exitCodes: {operator: In, values: [88]}
  containers:
  - name: a
    image: busybox`,
		wantErrs: []string{"spec.initContainers[0].restartPolicyRules: Forbidden: restartPolicyRules are not allowed for init containers with restart policy Always"},
	}, {
		name: "exit code out of range",
		spec: `  containers:
  - name: a
    image: busybox
    restartPolicy: Never
    restartPolicyRules:
    - action: Restart
      exitCodes: {operator: In, values: [99999999999]}`,
		wantErrs: []string{"spec.containers[0].restartPolicyRules[0].exitCodes.values"},
	}, {
		name:     "path in the pod name",
		podName:  "../x",
		spec:     "  containers:\n  - name: a\n    image: busybox",
		wantErrs: []string{`metadata.name: Invalid value: "../x"`},
	}, {
		name: "undefined volume",
		spec: `  containers:
  - name: a
    image: busybox
    volumeMounts:
    - name: nope
      mountPath: /x`,
		wantErrs: []string{`spec.containers[0].volumeMounts[0].name: Not found: "nope"`},
	}, {
		name: "escaping subPath",
		spec: `  volumes:
  - name: v
    emptyDir: {}
  containers:
  - name: a
    image: busybox
    volumeMounts:
    - name: v
      mountPath: /x
      subPath: ../../etc`,
		wantErrs: []string{"spec.containers[0].volumeMounts[0].subPath", "../../etc"},
	}, {
		name: "escaping mountPath",
		spec: `  volumes:
  - name: v
    emptyDir: {}
  containers:
  - name: a
    image: busybox
    volumeMounts:
    - name: v
      mountPath: /../../etc`,
		wantErrs: []string{"spec.containers[0].volumeMounts[0].mountPath", "/../../etc"},
	}, {
		// Any other name is the kubelet's to refuse (InvalidImageName).
		name: "image with whitespace around it",
		spec: `  containers:
  - name: a
    image: busybox
  - name: b
    image: " busybox"`,
		wantErrs: []string{`spec.containers[1].image`, `" busybox"`, "leading or trailing whitespace"},
	}, {
		name: "unsupported field",
		spec: `  containers:
  - name: a
    image: busybox
    volumeDevices:
    - name: d
      devicePath: /dev/xvda`,
		wantErrs: []string{"spec.containers[0].volumeDevices: not supported"},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			name := c.podName
			if name == "" {
				name = podName("bad")
			}
			text := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n" + c.spec + "\n"
			path := writeManifest(t, "bad", text)
			before := testutil.Snapshot(t, exe)
			r := mp(t, "up", "-d", path)
			if r.code == 0 {
				// Do not leave a pod behind even if minipod took it.
				mp(t, "down", name)
				t.Fatalf("up accepted a bad manifest: %s", r)
			}
			if !strings.HasPrefix(r.stderr, "minipod: ") {
				t.Errorf("stderr does not start with \"minipod: \": %q", r.stderr)
			}
			for _, w := range c.wantErrs {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q does not contain %q", r.stderr, w)
				}
			}
			if strings.Contains(r.stdout, "created") {
				t.Errorf("stdout says created: %q", r.stdout)
			}
			checkGone(t, name, before, nil)
		})
	}
}

// TestUnknownImage: an image that cannot be had is the kubelet's
// ErrImagePull: `up -d` fails naming the field and the registry's message,
// the pod shows ErrImagePull then ImagePullBackOff, and `down` leaves
// nothing. With imagePullPolicy Never the reason is ErrImageNeverPull.
func TestUnknownImage(t *testing.T) {
	root(t)
	for _, tc := range []struct{ policy, reason string }{{"", "ErrImagePull"}, {"Never", "ErrImageNeverPull"}} {
		name := podName("noimage")
		policy := ""
		if tc.policy != "" {
			policy = "\n    imagePullPolicy: " + tc.policy
		}
		text := tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sleep", "60"]
  - name: b
    image: nosuch-e2e-image{{POLICY}}
`, name, "POLICY", policy)
		r := tryUp(t, name, text)
		if r.code == 0 || !strings.Contains(r.stderr, `spec.containers[1].image "nosuch-e2e-image"`) || !strings.Contains(r.stderr, tc.reason) {
			t.Errorf("up with an image that cannot be had: %s", r)
		}
		st := status(t, name)
		if st != tc.reason && !(tc.reason == "ErrImagePull" && st == "ImagePullBackOff") {
			t.Errorf("STATUS = %q, want %s", st, tc.reason)
		}
		if tc.reason == "ErrImagePull" {
			waitStatus(t, name, "ImagePullBackOff", 20*time.Second)
			if d := mustMP(t, "describe", name); !strings.Contains(d, "Failed to pull image") {
				t.Errorf("describe lacks the pull failure:\n%s", d)
			}
		}
	}
}

// TestUpManyPodsOneFails: as kubectl apply, `up -d` of a file whose first
// pod cannot come up (an image that is not there, pull policy Never)
// still creates the file's other pods, then fails naming the first.
func TestUpManyPodsOneFails(t *testing.T) {
	root(t)
	bad, good := podName("multi-bad"), podName("multi-good")
	text := tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: nosuch-e2e-image
    imagePullPolicy: Never
---
apiVersion: v1
kind: Pod
metadata:
  name: {{GOOD}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sleep", "60"]
`, bad, "GOOD", good)
	before := testutil.Snapshot(t, exe)
	r := tryUp(t, bad, text)
	t.Cleanup(func() { downAndCheck(t, good, before, runOpts{}) })
	if r.code == 0 || !strings.Contains(r.stderr, "pod "+bad+" is not running") || !strings.Contains(r.stderr, "ErrImageNeverPull") {
		t.Errorf("up: want a failure naming %s and ErrImageNeverPull, got %s", bad, r)
	}
	if !strings.Contains(r.stdout, "pod/"+good+" created") || strings.Contains(r.stdout, "pod/"+bad+" created") {
		t.Errorf("up printed %q, want pod/%s created alone", r.stdout, good)
	}
	if st := status(t, good); st != "Running" {
		t.Errorf("the file's second pod: STATUS %q, want Running", st)
	}
}
