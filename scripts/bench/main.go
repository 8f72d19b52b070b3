// Command bench measures minipod's hot paths with the built binary and
// prints median/min/max: `up -d` of a two-container busybox pod, `exec --
// true`, `down`, what cgroups, seccomp and resource limits add to them,
// `top`, the pod network, images, and the memory of minipod's own
// long-lived processes; for up/exec/down, where the time goes (traced
// steps, and each process's page faults and CPU time).
// Run it through `make bench` (as root, images built).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const podYAML = `apiVersion: v1
kind: Pod
metadata:
  name: %s
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
  - name: b
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`

func main() {
	bin := flag.String("bin", "bin/minipod", "minipod binary")
	runs := flag.Int("runs", 20, "repetitions per measurement")
	pods := flag.Int("pods", 20, "pods running at once for the PSS measurement")
	requests := flag.Int("requests", 400, "HTTP requests per hostPort/pod-IP measurement")
	imageRuns := flag.Int("image-runs", 5, "repetitions of the image pull and start measurements")
	baseline := flag.String("baseline", "", "a minipod binary from before cgroups and seccomp, to measure what they cost")
	only := flag.String("only", "", "comma-separated parts to run (core, isolation, limits, top, probes, net, services, images, objects, memory, versus); empty runs all")
	otherRuns := flag.Int("versus-runs", 5, "repetitions of podman's up/exec/down (its down takes seconds)")
	crunExec := flag.Int("crun-exec", 0, "internal: time this many `crun exec` calls in this process's own mount namespace")
	crunDir := flag.String("crun-dir", "", "internal: the directory for -crun-exec")
	flag.Parse()
	if *crunExec > 0 {
		crunExecChild(*crunExec, *crunDir)
		return
	}
	parts := strings.Split(*only, ",")
	if slices.Contains(parts, "versus") {
		// The table sets minipod's figures of the same run beside theirs.
		parts = append(parts, "core", "memory")
	}
	run := func(part string) bool { return *only == "" || slices.Contains(parts, part) }
	// Piped into head, the bench must still reach its deferred `down`s.
	signal.Ignore(syscall.SIGPIPE)
	dir, err := os.MkdirTemp("", "minipod-bench")
	must(err)
	defer os.RemoveAll(dir)
	b := &bench{bin: *bin, dir: dir}
	var up, ex, down []time.Duration
	var mine figures
	if run("core") || run("net") {
		traced := steps{}
		var spent workLog
		for i := 0; i < *runs; i++ {
			name := fmt.Sprintf("bench-%d-%d", os.Getpid(), i)
			up = append(up, b.tracedUp(name, traced, &spent))
			ex = append(ex, b.timeWork(&spent, "exec -- true: the CLI", "exec", name, "--", "true"))
			down = append(down, b.timeWork(&spent, "down: the CLI", "down", name))
		}
		report("up -d (2 containers)", up)
		report("exec -- true", ex)
		report("down", down)
		traced.report()
		spent.report()
		mine.up, mine.exec, mine.down = median(up), median(ex), median(down)
	}
	if run("isolation") {
		b.isolationCost(*baseline, *runs)
	}
	if run("limits") {
		b.limitsCost(*runs)
	}
	if run("top") {
		b.topLatency(10, *runs)
	}
	if run("probes") {
		b.probeCost(*pods)
	}
	if run("net") {
		b.networkCost(*runs, up, down)
		b.hostPortVsPodIP(*requests)
	}
	if run("services") {
		b.servicesBench(*requests, 25, 11)
	}
	if run("images") {
		b.imageBench(*imageRuns)
	}
	if run("objects") {
		b.objectsCost(*runs)
	}
	if run("memory") {
		b.memory(*pods, &mine)
	}
	if run("versus") {
		compare(mine, b.podmanFigures(*otherRuns, *pods), b.crunExec(*runs))
	}
}

type bench struct {
	bin, dir string
	env      []string // for commands that need MINIPOD_INSECURE_REGISTRIES
}

func (b *bench) manifest(name string) string {
	p := filepath.Join(b.dir, name+".yaml")
	must(os.WriteFile(p, []byte(fmt.Sprintf(podYAML, name)), 0o644))
	return p
}

func (b *bench) time(args ...string) time.Duration {
	d, _ := b.runCLI(args...)
	return d
}

// timeWork is time that also logs what the command spent, as what.
func (b *bench) timeWork(spent *workLog, what string, args ...string) time.Duration {
	d, w := b.runCLI(args...)
	spent.add(what, w)
	return d
}

func (b *bench) runCLI(args ...string) (time.Duration, work) {
	start := time.Now()
	cmd := exec.Command(b.bin, args...)
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: minipod %s: %v\n%s", strings.Join(args, " "), err, out)
		os.Exit(1)
	}
	return d, childWork(cmd)
}

func report(what string, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	f := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", ms(d)) }
	fmt.Printf("%-24s median %-9s min %-9s max %-9s (n=%d)\n", what, f(ds[len(ds)/2]), f(ds[0]), f(ds[len(ds)-1]), len(ds))
}

// memory reports RSS of the monitor and pause of one pod, then PSS per pod
// with n pods running (shared pages of the one binary are split among them).
func (b *bench) memory(n int, f *figures) {
	var names []string
	defer func() {
		for _, name := range names {
			_ = exec.Command(b.bin, "down", name).Run()
		}
	}()
	var ups time.Duration
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("bench-mem-%d-%d", os.Getpid(), i)
		ups += b.time("up", "-d", b.manifest(name))
		names = append(names, name)
		if i == 0 {
			time.Sleep(200 * time.Millisecond)
			mon, pause := pids(name)
			f.rss = (kb(mon, "VmRSS") + kb(pause, "VmRSS")) / 1024
			fmt.Printf("%-24s monitor %.1f MB + pause %.1f MB = %.1f MB\n", "RSS, one pod", kb(mon, "VmRSS")/1024, kb(pause, "VmRSS")/1024, f.rss)
			if pause == 0 {
				fmt.Printf("%-24s (pause handed the namespaces to the monitor and exited)\n", "")
			}
		}
	}
	time.Sleep(200 * time.Millisecond)
	f.pss, f.pods = podsPSS(names), n
	fmt.Printf("%-24s %.2f MB per pod (%d pods)\n", "PSS, many pods", f.pss, n)
	// A pod in use: what its monitor keeps once it has served some execs
	// (as an exec probe would) and been quiet for a while.
	for _, name := range names {
		for i := 0; i < usedExecs; i++ {
			b.time("exec", name, "-c", "a", "--", "true")
		}
	}
	time.Sleep(usedQuiet)
	fmt.Printf("%-24s %.2f MB per pod (%d pods, after %d execs each and %v quiet)\n", "PSS, pods in use", podsPSS(names), n, usedExecs, usedQuiet)
	var downs time.Duration
	for _, name := range names {
		downs += b.time("down", name)
	}
	names = nil
	f.manyUp, f.manyDown = ups, downs
	fmt.Printf("%-24s up %.0f ms, down %.0f ms (%d pods, one CLI call after another; target 500 ms each)\n", "many pods", ms(ups), ms(downs), n)
}

// usedExecs and usedQuiet make the pods of the memory measurement pods in
// use: the execs each gets, and the quiet time after them.
const (
	usedExecs = 30
	usedQuiet = 2500 * time.Millisecond
)

// podsPSS is the mean PSS of the monitor and pause of the pods, in MB.
func podsPSS(names []string) float64 {
	total := 0.0
	for _, name := range names {
		mon, pause := pids(name)
		total += pss(mon) + pss(pause)
	}
	return total / float64(len(names)) / 1024
}

func pids(pod string) (int, int) {
	data, err := os.ReadFile(filepath.Join("/run/minipod", pod, "state.json"))
	must(err)
	var st struct {
		Monitor struct{ PID int } `json:"monitor"`
		Pause   struct{ PID int } `json:"pause"`
	}
	must(json.Unmarshal(data, &st))
	return st.Monitor.PID, st.Pause.PID
}

// containerPID is the process of the pod's first container, 0 if none.
func containerPID(pod string) int {
	data, err := os.ReadFile(filepath.Join("/run/minipod", pod, "state.json"))
	if err != nil {
		return 0
	}
	var st struct {
		Containers []struct {
			Proc struct{ PID int } `json:"proc"`
		} `json:"containers"`
	}
	if json.Unmarshal(data, &st) != nil || len(st.Containers) == 0 {
		return 0
	}
	return st.Containers[0].Proc.PID
}

// kb reads a field of /proc/PID/status; no process (0) has none.
func kb(pid int, field string) float64 {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	must(err)
	return fieldKB(string(data), field+":")
}

func pss(pid int) float64 {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	must(err)
	return fieldKB(string(data), "Pss:")
}

func fieldKB(s, key string) float64 {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, key) {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	return 0
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
