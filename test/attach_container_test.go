package test

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	corev1 "k8s.io/api/core/v1"
)

const attachPod = `apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: cat
    image: busybox
    stdin: true
    stdinOnce: true
    command: ["sh", "-c", "echo started; cat; echo cat-ended; exec sleep 3600"]
  - name: shell
    image: busybox
    stdin: true
    tty: true
  - name: plain
    image: busybox
    command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick$i; sleep 0.2; done"]
`

// readUntil reads r line by line until a line contains want; it returns
// what it read, or fails after timeout.
func readUntil(t *testing.T, r io.Reader, want string, timeout time.Duration) string {
	t.Helper()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var seen []string
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended before %q: %q", want, seen)
			}
			seen = append(seen, l)
			if strings.Contains(l, want) {
				return strings.Join(seen, "\n")
			}
		case <-deadline:
			t.Fatalf("no %q within %v: %q", want, timeout, seen)
		}
	}
}

// TestAttachStdin: attach -i feeds the container's stdin (stdin: true) and
// streams its output; with stdinOnce the stdin is closed when that input
// ends, so cat ends; the session goes on until the caller leaves, and the
// container keeps running. Output from before the session is not repeated.
func TestAttachStdin(t *testing.T) {
	root(t)
	name := podName("attach-in")
	upPod(t, name, tmpl(attachPod, name))
	waitFor(t, 10*time.Second, "the container's first line", func() bool {
		return mustMP(t, "logs", name, "-c", "cat") == "started\n"
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "attach", name, "-c", "cat", "-i", "-q")
	cmd.Stdin = strings.NewReader("hello\nworld\n")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := readUntil(t, out, "cat-ended", 20*time.Second)
	_ = cmd.Process.Kill() // our own child: the session, not the container
	_ = cmd.Wait()
	if got != "hello\nworld\ncat-ended" {
		t.Errorf("attach printed %q, want hello, world, cat-ended (and not the earlier 'started')", got)
	}
	// The session gets output as it is read, the log once it is written.
	waitFor(t, 5*time.Second, "the container's log", func() bool {
		return mustMP(t, "logs", name, "-c", "cat") == "started\nhello\nworld\ncat-ended\n"
	})
	p := getPod(t, name)
	if s := ctrStatus(t, p, "cat"); s.State.Running == nil || s.RestartCount != 0 {
		t.Errorf("cat after the session: %+v, want still running", s)
	}
}

// TestAttachOutputOnly: attach without -i to a container without stdin
// streams what it prints from now on; -t on a container without a
// terminal gets kubectl's warning and goes on without one.
func TestAttachOutputOnly(t *testing.T) {
	root(t)
	name := podName("attach-out")
	upPod(t, name, tmpl(attachPod, name))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "attach", name, "-c", "plain", "-t")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	readUntil(t, out, "tick", 10*time.Second)
	readUntil(t, out, "tick", 10*time.Second)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !strings.Contains(stderr.String(), "error: Unable to use a TTY - container plain did not allocate one") {
		t.Errorf("attach -t to a container without tty said %q", stderr.String())
	}
}

// TestAttachTTY (tty: true, stdin: true): the container's shell has a
// terminal of its own devpts as stdin, stdout and controlling terminal;
// attach -i -t from a terminal talks to it in raw mode; leaving the shell
// ends the container and the session, with kubectl's hint to resume, and
// the restarted container gets a fresh terminal. The log has the
// terminal's output.
func TestAttachTTY(t *testing.T) {
	root(t)
	name := podName("attach-tty")
	upPod(t, name, tmpl(attachPod, name))
	cmd := exec.Command(exe, "attach", name, "-c", "shell", "-i", "-t")
	term, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	defer func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill() // our own child
			<-done
		}
	}()
	// busybox sh reads a line at a time: the answers come back on the
	// session's terminal.
	_, _ = term.Write([]byte("\n"))
	_, _ = term.Write([]byte("echo answer-$((6*7)); tty; ls -l /proc/self/fd/0\n"))
	got := readUntil(t, term, "/proc/self/fd/0 ->", 15*time.Second)
	if !strings.Contains(got, "answer-42") || !strings.Contains(got, "/dev/pts/0") {
		t.Errorf("the shell's answers: %q", got)
	}
	_, _ = term.Write([]byte("exit\n"))
	rest := readUntil(t, term, "Session ended, resume using", 15*time.Second)
	if !strings.Contains(rest, "minipod attach "+name+" -c shell -i -t") {
		t.Errorf("after the session: %q", rest)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("attach did not end with the container")
	}
	waitPod(t, name, 30*time.Second, "shell restarted", func(p *corev1.Pod) bool {
		s := ctrStatus(t, p, "shell")
		return s.RestartCount >= 1 && s.State.Running != nil
	})
	logs := mp(t, "logs", name, "-c", "shell", "-p").stdout
	if !strings.Contains(logs, "answer-42") {
		t.Errorf("the previous instance's log lacks the terminal's output: %q", logs)
	}
}

// TestAttachRefusals: a pod that completed, a container that is not
// running, an unknown container.
func TestAttachRefusals(t *testing.T) {
	root(t)
	name := podName("attach-no")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  restartPolicy: Never
  containers:
  - name: done
    image: busybox
    stdin: true
    command: ["true"]
`, name))
	waitPod(t, name, 20*time.Second, "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	if r := mp(t, "attach", name, "-i"); r.code == 0 || !strings.Contains(r.stderr, "cannot attach a container in a completed pod; current phase is Succeeded") {
		t.Errorf("attach to a completed pod: %s", r)
	}
	if r := mp(t, "attach", name+"-nope"); r.code == 0 {
		t.Errorf("attach to a pod that does not exist: %s", r)
	}
}

// ---- Share Process Namespace between Containers in a Pod
// https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/

// TestK8sDocsShareProcessNamespace (share-process-namespace.yaml): from the
// shell container, ps shows the pause process as PID 1 and nginx; nginx can
// be signalled (kill -HUP) and its filesystem read through
// /proc/PID/root. The shell container runs with a terminal (tty: true,
// stdin: true) as its stdin.
func TestK8sDocsShareProcessNamespace(t *testing.T) {
	root(t)
	name := mustUpDoc(t, "pods/share-process-namespace.yaml")
	// up returns once the containers run: nginx's entrypoint script may
	// still be running, and a SIGHUP would end it (and the container).
	var ps string
	waitFor(t, 30*time.Second, "nginx's master process", func() bool {
		ps = execOut(t, name, "shell", "ps", "ax")
		return strings.Contains(ps, "nginx: master process")
	})
	var nginx, sleep string
	for _, l := range strings.Split(ps, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) < 3:
		case f[0] == "1":
			if !strings.Contains(l, "pause") {
				t.Errorf("PID 1 is not the pause process: %q", l)
			}
		case nginx == "" && strings.Contains(l, "nginx: master process"):
			// The master is the first: a worker just forked still bears
			// the master's title for a moment, after it switched to the
			// nginx user (its /proc/PID/root is then not ours to read).
			nginx = f[0]
		case strings.Contains(l, "sleep 3600"):
			sleep = f[0]
		}
	}
	if nginx == "" || sleep == "" {
		t.Fatalf("ps ax in shell does not show nginx and sleep:\n%s", ps)
	}
	if conf := execOut(t, name, "shell", "cat", "/proc/"+nginx+"/root/etc/nginx/nginx.conf"); !strings.Contains(conf, "http") {
		t.Errorf("nginx's config through /proc/%s/root: %q", nginx, conf)
	}
	execOut(t, name, "shell", "kill", "-HUP", nginx)
	if fd0 := execOut(t, name, "shell", "readlink", "/proc/"+sleep+"/fd/0"); fd0 != "/dev/pts/0\n" {
		t.Errorf("the shell container's stdin is %q, want its terminal /dev/pts/0", fd0)
	}
	if row := getRow(t, name); row["READY"] != "2/2" {
		t.Errorf("READY %s", row["READY"])
	}
}

// TestAttackSlowAttachClient: a container flooding its output while an
// attach session does not read it: the session is cut, never the
// container nor its log, which keeps growing.
func TestAttackSlowAttachClient(t *testing.T) {
	root(t)
	name := podName("attach-slow")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: flood
    image: busybox
    command: ["sh", "-c", "while true; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done"]
`, name))
	cmd := exec.Command(exe, "attach", name, "-q")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close() // never read: the session's output backs up
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }() // our own child
	time.Sleep(2 * time.Second)                               // every pipe between the container and us is full by now
	last := func() time.Time {
		at, _ := time.Parse(time.RFC3339Nano, strings.Fields(mustMP(t, "logs", name, "--timestamps", "--tail=1") + " -")[0])
		return at
	}
	before := last()
	time.Sleep(time.Second)
	if after := last(); !after.After(before) {
		t.Errorf("the container's log stopped under a stuck attach session: its last line is from %s, then still %s", before, after)
	}
}

// TestAttackAttachStdinNotRead: input sent to a container that never
// reads it (its terminal's input queue fills) holds nothing of the monitor
// once the session ends: its descriptors go back to what they were.
func TestAttackAttachStdinNotRead(t *testing.T) {
	root(t)
	name := podName("attach-noread")
	upPod(t, name, tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: deaf
    image: busybox
    stdin: true
    tty: true
    command: ["sleep", "3600"]
`, name))
	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	fds := func() int {
		ents, _ := os.ReadDir("/proc/" + strconv.Itoa(st.Monitor.PID) + "/fd")
		return len(ents)
	}
	before := fds()
	for i := 0; i < 3; i++ {
		cmd := exec.Command(exe, "attach", name, "-i", "-q")
		cmd.Stdin = strings.NewReader(strings.Repeat("x", 1<<20))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		_ = cmd.Process.Kill() // our own child
		_ = cmd.Wait()
	}
	waitFor(t, 10*time.Second, "the monitor's descriptors back to their number", func() bool { return fds() <= before })
}
