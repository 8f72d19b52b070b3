package test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

// boundedRun is one minipod invocation held to a memory and time limit, so
// that a test of an attack cannot take the machine even when the attack
// works. (How little memory refusing takes is measured in podspec's unit
// tests: the peak RSS of a child cannot be read here, since Linux counts
// the test process's own peak in it.)
type boundedRun struct {
	result
	took time.Duration
}

// boundVMem is the address space a bounded minipod gets: ample for a Go
// binary (which reserves about 1.2 GiB, and fails to start erratically
// just around that), and an eighth of the machine minipod is tested on.
const boundVMem = 3 << 20 // KiB

// mpBounded runs minipod under `ulimit -v` and a timeout; stdin is the
// given file, if any.
func mpBounded(t *testing.T, timeout time.Duration, stdin string, args ...string) boundedRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	script := fmt.Sprintf(`ulimit -v %d && exec "$0" "$@"`, boundVMem)
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", script, exe}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != "" {
		f, err := os.Open(stdin)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	start := time.Now()
	err := cmd.Run()
	r := boundedRun{result: result{args: args, stdout: out.String(), stderr: errb.String()}, took: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("minipod %s: still running after %v\n%s", strings.Join(args, " "), timeout, r.result)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// expectRefused checks a bounded `up` that must fail fast with every one of
// wants on stderr.
func expectRefused(t *testing.T, r boundedRun, wants ...string) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("accepted: %s", r.result)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q does not contain %q", r.stderr, w)
		}
	}
	if r.took > 2*time.Second { // before: 97 s, 10 s, or an OOM kill
		t.Errorf("took %v to refuse", r.took)
	}
}

// TestManifestFromDevZero: an endless manifest fails at the 3 MiB limit at
// once, naming the file and the limit, and leaves nothing.
func TestManifestFromDevZero(t *testing.T) {
	root(t)
	before := testutil.Snapshot(t, exe)
	r := mpBounded(t, 20*time.Second, "", "up", "-d", "/dev/zero")
	expectRefused(t, r, "read manifest /dev/zero: too large: more than 3145728 bytes")
	r = mpBounded(t, 20*time.Second, "/dev/zero", "up", "-d", "-")
	expectRefused(t, r, "read manifest -: too large: more than 3145728 bytes")
	checkGone(t, podName("devzero"), before, nil)
}

// aliasBombFile writes a ConfigMap whose data repeats one 1 MiB scalar
// through n aliases, and a pod that uses it: about 1 MiB of file that
// expands to n MiB.
func aliasBombFile(t *testing.T, name string, n int) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  k0: &a ")
	b.WriteString(strings.Repeat("x", 1<<20))
	b.WriteString("\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  k%d: *a\n", i)
	}
	b.WriteString(tmpl(`---
apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  containers:
  - name: a
    image: busybox
    envFrom:
    - configMapRef: {name: bomb}
`, name))
	return writeManifest(t, name, b.String())
}

// TestAliasBomb: 400 and 4,400 aliases of a 1 MiB scalar (9.9 s and
// 2.3 GB, then an OOM kill, before) fail in well under a second, naming
// the document, and leave nothing.
func TestAliasBomb(t *testing.T) {
	root(t)
	for _, n := range []int{400, 4400} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			name := podName("bomb")
			file := aliasBombFile(t, name, n)
			before := testutil.Snapshot(t, exe)
			r := mpBounded(t, 60*time.Second, "", "up", "-d", file)
			expectRefused(t, r, `document 1 (ConfigMap "bomb"): too large: more than 3145728 bytes as JSON`)
			checkGone(t, name, before, nil)
		})
	}
}

// TestHugeGracePeriodAccepted: Kubernetes accepts any non-negative int64
// grace period, and so does minipod.
func TestHugeGracePeriodAccepted(t *testing.T) {
	root(t)
	name := podName("grace")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 9223372036854775807
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
`, name))
	if g := getPod(t, name).Spec.TerminationGracePeriodSeconds; g == nil || *g != 9223372036854775807 {
		t.Errorf("terminationGracePeriodSeconds = %v", g)
	}
	over := podName("grace")
	r := tryUp(t, over, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 9223372036854775808
  containers: [{name: a, image: busybox}]
`, over))
	if r.code == 0 || !strings.Contains(r.stderr, `spec.terminationGracePeriodSeconds: Invalid value: "9223372036854775808": out of range for a 64-bit integer`) {
		t.Errorf("2^63 seconds: %s", r)
	}
}

const givenUIDPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
  uid: "{{UID}}"
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "echo hello; ` + idle + `"]
`

// TestManifestUIDReplaced: as the API server on create, up gives the pod a
// fresh UID and says it ignored the manifest's; the log directory uses it.
func TestManifestUIDReplaced(t *testing.T) {
	root(t)
	name := podName("uidnew")
	given := "0b7c1e2a-1111-4222-8333-444455556666"
	r := tryUp(t, name, tmpl(givenUIDPod, name, "UID", given))
	if r.code != 0 {
		t.Fatalf("up: %s", r)
	}
	if !strings.Contains(r.stderr, `Warning: Pod "`+name+`": metadata.uid: ignored on input`) {
		t.Errorf("no warning about the ignored uid: %q", r.stderr)
	}
	uid := string(getPod(t, name).UID)
	if uid == given || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(uid) {
		t.Fatalf("uid = %q, want a fresh UUID", uid)
	}
	waitFor(t, 10*time.Second, "the container's log", func() bool {
		_, err := os.Stat(filepath.Join("/var/log/pods", "default_"+name+"_"+uid, "a", "0.log"))
		return err == nil
	})
	if _, err := os.Stat(filepath.Join("/var/log/pods", "default_"+name+"_"+given)); err == nil {
		t.Errorf("a log directory uses the manifest's uid")
	}
}

// TestMountInProcOrSys: a volume over the kernel's interfaces is refused,
// naming the field (a configMap at /proc/sys/kernel fooled the runtime).
func TestMountInProcOrSys(t *testing.T) {
	root(t)
	for _, p := range []string{"/proc/sys/kernel", "/sys", "/x/../proc"} {
		name := podName("procmount")
		r := tryUp(t, name, tmpl(`apiVersion: v1
kind: ConfigMap
metadata: {name: {{NAME}}-k}
data: {hostname: evil}
---
apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  volumes: [{name: k, configMap: {name: {{NAME}}-k}}]
  containers:
  - name: a
    image: busybox
    volumeMounts: [{name: k, mountPath: "{{PATH}}"}]
`, name, "PATH", p))
		want := `spec.containers[0].volumeMounts[0].mountPath: Invalid value: "` + p + `": must not be in /proc or /sys`
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("mountPath %s: %s", p, r)
		}
	}
}

// TestSeccompProfileAccepted: seccompProfile (pod and container) and
// allowPrivilegeEscalation are accepted and kept; a Localhost profile
// outside the profile directory is refused by name. (Enforcement is the
// runtime's, tested with it.)
func TestSeccompProfileAccepted(t *testing.T) {
	root(t)
	name := podName("seccomp")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    securityContext:
      allowPrivilegeEscalation: false
      seccompProfile: {type: Unconfined}
`, name))
	p := getPod(t, name)
	if sc := p.Spec.SecurityContext; sc == nil || sc.SeccompProfile == nil || sc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("pod securityContext = %+v", sc)
	}
	c := p.Spec.Containers[0].SecurityContext
	if c == nil || c.SeccompProfile == nil || c.SeccompProfile.Type != "Unconfined" || c.AllowPrivilegeEscalation == nil || *c.AllowPrivilegeEscalation {
		t.Errorf("container securityContext = %+v", c)
	}
	for field, want := range map[string]string{
		"seccompProfile: {type: Localhost, localhostProfile: ../../etc/profile.json}": `spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "../../etc/profile.json": must not contain '..'`,
		"seLinuxOptions: {level: s0}": "spec.containers[0].securityContext.seLinuxOptions: not supported: this node has no SELinux",
	} {
		bad := podName("seccomp")
		r := tryUp(t, bad, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  containers:
  - name: a
    image: busybox
    securityContext:
      {{FIELD}}
`, bad, "FIELD", field))
		if r.code == 0 || !strings.Contains(r.stderr, want) {
			t.Errorf("want %q: %s", want, r)
		}
	}
}
