package test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rotatePod prints "ready", waits for /tmp/go, then prints line-1 to
// line-{{N}} in paced batches and stays up. The pace leaves a follower
// about a second: lines are lost to one that falls behind by more than
// the files kept (3 of 64Ki, ~4000 lines), as they are with the kubelet.
// At twice this pace the slack was ~0.4 s, and the test lost lines now
// and then on a busy CI machine.
const rotatePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: w
    image: busybox
    command:
    - sh
    - -c
    - echo ready; while [ ! -e /tmp/go ]; do sleep 0.05; done;
      i=1; while [ $i -le {{N}} ]; do echo line-$i; [ $((i % 200)) -ne 0 ] || sleep 0.05; i=$((i+1)); done;
      ` + idle + `
`

const (
	rotateLines    = 10000
	rotateMaxSize  = 64 << 10
	rotateMaxFiles = 3
)

// rotateEnv sets small rotation limits for the pod's monitor.
var rotateEnv = runOpts{env: []string{
	"MINIPOD_CONTAINER_LOG_MAX_SIZE=64Ki",
	"MINIPOD_CONTAINER_LOG_MAX_FILES=" + strconv.Itoa(rotateMaxFiles),
}}

// TestLogsRotate: a container writing ~0.5 MB under a 64Ki × 3 limit keeps
// at most 3 files of at most 64Ki; logs, --tail and -f read across them.
func TestLogsRotate(t *testing.T) {
	root(t)
	name := podName("logs-rot")
	upPod(t, name, tmpl(rotatePod, name, "N", strconv.Itoa(rotateLines)), rotateEnv)

	// Follow from before the first line-N, and across every rotation.
	follower := startFollow(t, name)
	follower.waitFor(t, "ready\n")
	dir := ctrLogDir(t, name, "w")
	stopWatching := watchBound(t, dir)
	execOut(t, name, "w", "touch", "/tmp/go")
	last := fmt.Sprintf("line-%d\n", rotateLines)
	follower.waitFor(t, last)
	stopWatching()
	checkContiguous(t, "logs -f", strings.TrimPrefix(follower.String(), "ready\n"), 1)

	files := waitCompressed(t, dir)
	for _, f := range files {
		if f.size > rotateMaxSize {
			t.Errorf("%s is %d bytes, over the 64Ki limit", f.name, f.size)
		}
	}

	all := mustMP(t, "logs", name)
	first := checkContiguous(t, "logs", all, -1)
	if first <= 1 {
		t.Errorf("logs starts at line-%d: nothing was rotated away", first)
	}
	// The retained lines fill at least the two rotated files.
	if n := rotateLines - first + 1; n < 2*rotateMaxSize/64 {
		t.Errorf("logs holds only %d lines", n)
	}
	for _, tail := range []int{1, 2000} {
		got := mustMP(t, "logs", name, "--tail", strconv.Itoa(tail))
		if want := lastLines(all, tail); got != want {
			t.Errorf("logs --tail %d: %d bytes, want the last %d lines of logs", tail, len(got), tail)
		}
	}
	checkStamps(t, mustMP(t, "logs", name, "--timestamps"), all)
}

// checkStamps checks that stamped is plain with an RFC3339Nano time in
// front of each line, never going back.
func checkStamps(t *testing.T, stamped, plain string) {
	t.Helper()
	sl, pl := lines(stamped), lines(plain)
	if len(sl) != len(pl) {
		t.Fatalf("logs --timestamps has %d lines, logs %d", len(sl), len(pl))
	}
	var prev time.Time
	for i, l := range sl {
		stamp, text, _ := strings.Cut(l, " ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil || text != pl[i] || at.Before(prev) {
			t.Fatalf("logs --timestamps line %d %q: want a time not before %v, then %q (%v)", i, l, prev, pl[i], err)
		}
		prev = at
	}
}

// watchBound checks, while a container writes, that its log directory
// never holds more than rotateMaxFiles logs (a compression's temporary
// file, and a file caught under both its plain and gzipped names, count
// once) nor a file over the size limit. Call the returned func to stop.
func watchBound(t *testing.T, dir string) (stop func()) {
	t.Helper()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			keys := map[string]bool{}
			entries, err := os.ReadDir(dir) // not listDir: no t.Fatal off the test's goroutine
			if err != nil {
				t.Error(err)
				return
			}
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".tmp") {
					continue
				}
				keys[strings.TrimSuffix(e.Name(), ".gz")] = true
				if info, err := e.Info(); err == nil && info.Size() > rotateMaxSize {
					t.Errorf("%s grew to %d bytes", e.Name(), info.Size())
				}
			}
			if len(keys) > rotateMaxFiles {
				t.Errorf("%s held %d logs: %v", dir, len(keys), keys)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}

// rotatedFile is one file in a container's log directory.
type rotatedFile struct {
	name string
	size int64
}

// waitCompressed waits until dir holds what rotation leaves once idle:
// the current 0.log, the newest rotated file as is, and older ones gzipped,
// rotateMaxFiles files in all, and returns them.
func waitCompressed(t *testing.T, dir string) []rotatedFile {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		files := listDir(t, dir)
		if len(files) > rotateMaxFiles {
			t.Fatalf("%s holds %d files, over the limit of %d: %v", dir, len(files), rotateMaxFiles, files)
		}
		var plain, gz int
		for _, f := range files {
			switch {
			case f.name == "0.log":
			case strings.HasSuffix(f.name, ".gz"):
				gz++
			case strings.HasPrefix(f.name, "0.log."):
				plain++
			}
		}
		if len(files) == rotateMaxFiles && plain == 1 && gz == rotateMaxFiles-2 {
			return files
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %v, want 0.log, one rotated file and %d gzipped", dir, files, rotateMaxFiles-2)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func listDir(t *testing.T, dir string) []rotatedFile {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []rotatedFile
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue // removed since the listing
		}
		out = append(out, rotatedFile{e.Name(), info.Size()})
	}
	return out
}

// ctrLogDir is the log directory of container ctr of pod.
func ctrLogDir(t *testing.T, pod, ctr string) string {
	t.Helper()
	dirs, _ := filepath.Glob("/var/log/pods/default_" + pod + "_*/" + ctr)
	if len(dirs) != 1 {
		t.Fatalf("log directory of %s: %v", ctr, dirs)
	}
	return dirs[0]
}

// checkContiguous checks that out is line-k, line-k+1, ... line-N for some
// k (k = from unless from < 0) and returns k.
func checkContiguous(t *testing.T, what, out string, from int) int {
	t.Helper()
	ls := lines(out)
	if len(ls) == 0 {
		t.Fatalf("%s printed nothing", what)
	}
	first, err := strconv.Atoi(strings.TrimPrefix(ls[0], "line-"))
	if err != nil || (from >= 0 && first != from) {
		t.Fatalf("%s starts with %q, want line-%d", what, ls[0], from)
	}
	for i, l := range ls {
		if want := fmt.Sprintf("line-%d", first+i); l != want {
			t.Fatalf("%s: line %d is %.40q, want %s (lost, repeated or split lines)", what, i, l, want)
		}
	}
	if want := fmt.Sprintf("line-%d", rotateLines); ls[len(ls)-1] != want {
		t.Fatalf("%s ends with %q, want %s", what, ls[len(ls)-1], want)
	}
	return first
}

func lastLines(s string, n int) string {
	ls := lines(s)
	return strings.Join(ls[max(len(ls)-n, 0):], "\n") + "\n"
}

// follower is a `minipod logs -f` running in the background.
type follower struct {
	mu  sync.Mutex
	out bytes.Buffer
}

func (f *follower) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.Write(p)
}

func (f *follower) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.out.String()
}

// waitFor waits until the follower's output ends with suffix.
func (f *follower) waitFor(t *testing.T, suffix string) {
	t.Helper()
	waitFor(t, 60*time.Second, "logs -f printing "+strings.TrimSpace(suffix), func() bool {
		return strings.HasSuffix(f.String(), suffix)
	})
}

// startFollow runs `logs -f pod` until the test ends.
func startFollow(t *testing.T, pod string) *follower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{}
	cmd := exec.CommandContext(ctx, exe, "logs", "-f", pod)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	return f
}

const permPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "echo secret-token; i=0; while [ $i -lt 3000 ]; do echo filler-$i; i=$((i+1)); done; ` + idle + `"]
`

// TestLogsPrivate: container output can hold secrets, so the pod's log
// directories are 0700 and its files (rotated ones too) 0600, and another
// user cannot read them.
func TestLogsPrivate(t *testing.T) {
	root(t)
	name := podName("logs-priv")
	upPod(t, name, tmpl(permPod, name), rotateEnv)
	waitFor(t, 30*time.Second, "the last filler line", func() bool {
		return strings.HasSuffix(mustMP(t, "logs", name, "--tail", "1"), "filler-2999\n")
	})
	dir := ctrLogDir(t, name, "c")
	checkMode(t, filepath.Dir(dir), 0o700|os.ModeDir)
	checkMode(t, dir, 0o700|os.ModeDir)
	files := listDir(t, dir)
	if len(files) < 2 {
		t.Fatalf("want a rotated file beside 0.log, got %v", files)
	}
	for _, f := range files {
		checkMode(t, filepath.Join(dir, f.name), 0o600)
	}
	// Not even with the path in hand: the directory keeps others out.
	cat := exec.Command("cat", filepath.Join(dir, "0.log"))
	cat.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	if out, err := cat.CombinedOutput(); err == nil || !strings.Contains(string(out), "Permission denied") {
		t.Errorf("user nobody read the log: %v %q", err, out)
	}
}

func checkMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode() & (os.ModePerm | os.ModeDir); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
}

// TestLogsRotateBadSettings: a rotation setting the kubelet would refuse
// fails `up` with a message naming it, and leaves nothing behind.
func TestLogsRotateBadSettings(t *testing.T) {
	root(t)
	tests := []struct{ env, setting string }{
		{"MINIPOD_CONTAINER_LOG_MAX_FILES=1", "container-log-max-files"},
		{"MINIPOD_CONTAINER_LOG_MAX_FILES=many", "container-log-max-files"},
		{"MINIPOD_CONTAINER_LOG_MAX_SIZE=10Zi", "container-log-max-size"},
		{"MINIPOD_CONTAINER_LOG_MAX_SIZE=0", "container-log-max-size"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			t.Parallel()
			name := podName("logs-bad")
			r := tryUp(t, name, tmpl(permPod, name), runOpts{env: []string{tt.env}})
			if r.code == 0 || !strings.Contains(r.stderr, tt.setting) {
				t.Errorf("want a failure naming %s, got %s", tt.setting, r)
			}
		})
	}
}

const rotatePrevPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: OnFailure
  volumes:
  - name: d
    emptyDir: {}
  containers:
  - name: main
    image: busybox
    volumeMounts: [{name: d, mountPath: /d}]
    command:
    - sh
    - -c
    - if [ -e /d/ran ]; then echo second; ` + idle + `; fi; touch /d/ran;
      i=1; while [ $i -le {{N}} ]; do echo line-$i; i=$((i+1)); done; exit 1
`

// TestLogsRotatePrevious: -p reads the previous instance's rotated files
// too, and the instances rotate apart.
func TestLogsRotatePrevious(t *testing.T) {
	root(t)
	name := podName("logs-rotp")
	upPod(t, name, tmpl(rotatePrevPod, name, "N", strconv.Itoa(rotateLines)), rotateEnv)
	waitFor(t, 60*time.Second, "the second instance's output", func() bool {
		return mustMP(t, "logs", name) == "second\n"
	})
	prev := mustMP(t, "logs", name, "-p")
	if first := checkContiguous(t, "logs -p", prev, -1); first <= 1 {
		t.Errorf("logs -p starts at line-%d: nothing was rotated away", first)
	}
	if got := mustMP(t, "logs", name, "-p", "--tail", "3"); got != lastLines(prev, 3) {
		t.Errorf("logs -p --tail 3: %q", got)
	}
	dir := ctrLogDir(t, name, "main")
	var first, second int
	for _, f := range listDir(t, dir) {
		switch {
		case strings.HasPrefix(f.name, "0.log"):
			first++
		case strings.HasPrefix(f.name, "1.log"):
			second++
		}
	}
	if first == 0 || first > rotateMaxFiles || second != 1 {
		t.Errorf("%s: %d files of instance 0, %d of instance 1; want 1 to %d and 1", dir, first, second, rotateMaxFiles)
	}
}

// TestLogsKeepTwoInstances: a crash-looping container's logs do not pile
// up with its restarts: as the kubelet does, only the current instance's
// and the previous one's are kept (rotation bounds each).
func TestLogsKeepTwoInstances(t *testing.T) {
	root(t)
	name := podName("logs-keep")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo crashing; exit 1"]
`, name), runOpts{env: []string{"MINIPOD_CONTAINER_LOG_MAX_SIZE=1Ki"}})
	waitFor(t, 40*time.Second, "a third instance", func() bool {
		return ctrStatus(t, getPod(t, name), "main").RestartCount >= 2
	})
	uid := string(getPod(t, name).UID)
	dir := filepath.Join("/var/log/pods", "default_"+name+"_"+uid, "main")
	waitFor(t, 10*time.Second, "logs of older instances to go", func() bool {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		n := ctrStatus(t, getPod(t, name), "main").RestartCount
		for _, e := range ents {
			var i int
			if _, err := fmt.Sscanf(e.Name(), "%d.log", &i); err == nil && i < int(n)-1 {
				return false
			}
		}
		return true
	})
}
