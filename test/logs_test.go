package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const logsPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: lines
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3 4 5; do echo $i; done; ` + idle + `"]
  - name: short
    image: busybox
    command: ["sh", "-c", "echo a; sleep 2; echo b >&2"]
`

// TestLogs: --tail, --timestamps, -f and the CRI file on disk.
func TestLogs(t *testing.T) {
	root(t)
	name := podName("logs")
	upPod(t, name, tmpl(logsPod, name))

	// -f right away: it must end by itself when "short" exits. (Its b goes
	// to stderr, well after a: stdout and stderr are read apart, so only
	// lines far apart in time have a sure order.)
	f := mp(t, "logs", name, "-c", "short", "-f")
	if f.code != 0 || f.stdout != "a\nb\n" { // both streams, to stdout, as kubectl does
		t.Errorf("logs -f: want a, b and an end, got %s", f)
	}
	if s := ctrStatus(t, getPod(t, name), "short"); s.State.Terminated == nil {
		t.Errorf("logs -f ended while short is %+v", s.State)
	}

	var all string
	waitFor(t, 30*time.Second, "all of lines' output", func() bool {
		all = mustMP(t, "logs", name, "-c", "lines")
		return strings.Contains(all, "5")
	})
	if all != "1\n2\n3\n4\n5\n" {
		t.Errorf("logs: %q", all)
	}
	if got := mustMP(t, "logs", name, "-c", "lines", "--tail", "2"); got != "4\n5\n" {
		t.Errorf("logs --tail 2: %q, want \"4\\n5\\n\"", got)
	}
	ts := mustMP(t, "logs", name, "-c", "lines", "--timestamps")
	tl := lines(ts)
	if len(tl) != 5 {
		t.Fatalf("logs --timestamps: %q", ts)
	}
	var prev time.Time
	for i, l := range tl {
		stamp, text, ok := strings.Cut(l, " ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if !ok || err != nil || text != lines(all)[i] {
			t.Errorf("logs --timestamps line %q: want <RFC3339Nano> %s (%v)", l, lines(all)[i], err)
			continue
		}
		if at.Before(prev) {
			t.Errorf("timestamps go back: %v after %v", at, prev)
		}
		prev = at
	}

	// The files on disk are in the CRI format, as kubelet writes them.
	checkCRI(t, name, "lines", []string{"stdout 1", "stdout 2", "stdout 3", "stdout 4", "stdout 5"})
	checkCRI(t, name, "short", []string{"stdout a", "stderr b"})
}

// checkCRI checks container ctr's 0.log: one "<RFC3339Nano> <stream> F
// <text>" line for each "<stream> <text>" of want.
func checkCRI(t *testing.T, pod, ctr string, want []string) {
	t.Helper()
	files, _ := filepath.Glob("/var/log/pods/default_" + pod + "_*/" + ctr + "/0.log")
	if len(files) != 1 {
		t.Fatalf("log file of %s: %v", ctr, files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	cri := regexp.MustCompile(`^(\S+) (stdout|stderr) F (.*)$`)
	fl := lines(string(b))
	if len(fl) != len(want) {
		t.Fatalf("%s holds %q, want %q", files[0], b, want)
	}
	for i, l := range fl {
		m := cri.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("%s line %q is not <ts> <stream> F <text>", files[0], l)
			continue
		}
		if _, err := time.Parse(time.RFC3339Nano, m[1]); err != nil {
			t.Errorf("%s line %q: %v", files[0], l, err)
		}
		if m[2]+" "+m[3] != want[i] {
			t.Errorf("%s line %q: want %s", files[0], l, want[i])
		}
	}
}

const restartingPod = `apiVersion: v1
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
    - n=$(cat /d/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /d/n; echo run-$n; [ $n -ge 2 ] || exit 1; ` + idle + `
`

// TestLogsPrevious: --previous shows the output of the instance before the
// last restart.
func TestLogsPrevious(t *testing.T) {
	root(t)
	name := podName("logs-prev")
	tryUp(t, name, tmpl(restartingPod, name))
	waitFor(t, 60*time.Second, "the second instance running", func() bool {
		s := ctrStatus(t, getPod(t, name), "main")
		return s.RestartCount == 1 && s.State.Running != nil
	})
	var cur string
	waitFor(t, 30*time.Second, "run-2 in the log", func() bool {
		cur = mustMP(t, "logs", name)
		return cur != ""
	})
	if cur != "run-2\n" {
		t.Errorf("logs: %q, want run-2", cur)
	}
	for _, flag := range []string{"-p", "--previous"} {
		if prev := mustMP(t, "logs", name, "-c", "main", flag); prev != "run-1\n" {
			t.Errorf("logs %s: %q, want run-1", flag, prev)
		}
	}
	if files, _ := filepath.Glob("/var/log/pods/default_" + name + "_*/main/*.log"); len(files) != 2 {
		t.Errorf("want 0.log and 1.log, got %v", files)
	}
}
