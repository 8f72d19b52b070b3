package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSeedMC1: two containers share an emptyDir; what debian appends, nginx
// sees under its html root.
func TestSeedMC1(t *testing.T) {
	root(t)
	name := podName("mc1")
	upPod(t, name, fixture(t, "mc1.yaml", name))

	checkMC1(t, name)
}

// checkMC1: both containers of the seed's mc1 see the same date lines in the
// shared emptyDir, and the pod is 2/2 Running.
func checkMC1(t *testing.T, name string) {
	t.Helper()
	var first, second []string
	waitFor(t, 60*time.Second, "two date lines in the shared index.html", func() bool {
		// The file appears with 2nd's first date; until then cat fails.
		r1 := mp(t, "exec", name, "-c", "1st", "--", "/bin/cat", "/usr/share/nginx/html/index.html")
		r2 := mp(t, "exec", name, "-c", "2nd", "--", "/bin/cat", "/html/index.html")
		first, second = lines(r1.stdout), lines(r2.stdout)
		return r1.code == 0 && r2.code == 0 && len(first) >= 2
	})
	// 2nd keeps appending, so what 1st saw first is a prefix of what 2nd saw.
	if len(second) < len(first) {
		t.Fatalf("2nd sees fewer lines than 1st:\n1st: %q\n2nd: %q", first, second)
	}
	date := regexp.MustCompile(`^\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \w+ \d{4}$`)
	for i, l := range first {
		if l != second[i] {
			t.Errorf("line %d differs: 1st %q, 2nd %q", i, l, second[i])
		}
		if !date.MatchString(l) {
			t.Errorf("line %d is not a date: %q", i, l)
		}
	}
	if row := getRow(t, name); row["READY"] != "2/2" || row["STATUS"] != "Running" {
		t.Errorf("get: %v, want 2/2 Running", row)
	}
}

// TestSeedMC2: producer and consumer talk over a POSIX message queue in the
// pod's shared IPC namespace; the pod ends Completed.
func TestSeedMC2(t *testing.T) {
	root(t)
	name := podName("mc2")
	upPod(t, name, fixture(t, "mc2.yaml", name))

	waitStatus(t, name, "Completed", 90*time.Second)
	p := getPod(t, name)
	if p.Status.Phase != "Succeeded" {
		t.Errorf("phase %q, want Succeeded", p.Status.Phase)
	}
	for _, c := range []string{"producer", "consumer"} {
		s := ctrStatus(t, p, c)
		if s.State.Terminated == nil || s.State.Terminated.ExitCode != 0 || s.State.Terminated.Reason != "Completed" {
			t.Errorf("container %s state %+v, want terminated Completed exit 0", c, s.State)
		}
	}

	produced := valuesOf(mustMP(t, "logs", name, "-c", "producer"), "Produced: ")
	consumed := valuesOf(mustMP(t, "logs", name, "-c", "consumer"), "Consumed: ")
	if len(produced) == 0 {
		t.Fatal("producer logged no Produced: lines")
	}
	if len(consumed) == 0 || consumed[len(consumed)-1] != "done" {
		t.Fatalf("consumer's last value is not done: %q", consumed)
	}
	consumed = consumed[:len(consumed)-1]
	if produced[len(produced)-1] == "done" { // the producer logs what it sends
		produced = produced[:len(produced)-1]
	}
	if strings.Join(produced, ",") != strings.Join(consumed, ",") {
		t.Errorf("consumed values differ from produced ones:\nproduced %q\nconsumed %q", produced, consumed)
	}
}

// TestSeedMC3: nginx (config from a ConfigMap through subPath) proxies port
// 80 to webapp on 127.0.0.1:5000 in the same network namespace.
func TestSeedMC3(t *testing.T) {
	root(t)
	name := podName("mc3")
	text := fixture(t, "mc3.yaml", name)
	upPod(t, name, text)

	want := configMapText(t)
	if got := execOut(t, name, "nginx", "cat", "/etc/nginx/nginx.conf"); got != want {
		t.Errorf("/etc/nginx/nginx.conf in nginx:\n%s\nwant the ConfigMap's:\n%s", got, want)
	}
	var r result
	waitFor(t, 60*time.Second, "Hello world! through nginx", func() bool {
		r = mp(t, "exec", name, "-c", "webapp", "--", "wget", "-qO-", "http://127.0.0.1:80/")
		return r.code == 0 && strings.TrimSpace(r.stdout) == "Hello world!"
	})
}

// configMapText is nginx.conf of the mc3 fixture as the ConfigMap holds it
// (a |- block: the indented lines, no final newline).
func configMapText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "mc3.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(l, "  nginx.conf: |-"):
			in = true
		case in && (l == "" || strings.HasPrefix(l, "    ")):
			out = append(out, strings.TrimPrefix(l, "    "))
		case in:
			in = false
		}
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n")
}

// lines splits output into non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// valuesOf returns what follows prefix on each line that has it.
func valuesOf(s, prefix string) []string {
	var out []string
	for _, l := range lines(s) {
		if i := strings.Index(l, prefix); i >= 0 {
			out = append(out, strings.TrimSpace(l[i+len(prefix):]))
		}
	}
	return out
}
