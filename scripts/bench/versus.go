package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// figures are one runtime's medians for the comparison table; zero is
// "not measured".
type figures struct {
	up, down, exec   time.Duration
	rss, pss         float64 // MB
	manyUp, manyDown time.Duration
	note             string
	pods             int
}

// benchImage is the busybox image minipod's own tests use, imported into
// podman's storage (no registry is reachable here).
const benchImage = "localhost/minipod-bench-busybox:latest"

const busyboxRootfs = "/var/lib/minipod/images/busybox/latest/rootfs"

// podmanFigures runs the bench's pod with `podman kube play`: the same
// manifest but for the image name, the same counts.
func (b *bench) podmanFigures(runs, pods int) figures {
	if _, err := exec.LookPath("podman"); err != nil {
		return figures{note: "podman not installed"}
	}
	p := &podman{dir: b.dir, env: os.Environ()}
	// The cleanup also follows a failed setup: its trial pods may have
	// left what the cleanup removes.
	defer p.cleanup()
	if err := p.setup(); err != nil {
		return figures{note: err.Error()}
	}
	f := figures{note: "podman " + p.version + ", runtime " + p.runtime, pods: pods}
	var up, ex, down []time.Duration
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("bench-pm-%d-%d", os.Getpid(), i)
		up = append(up, p.time("kube", "play", p.manifest(name)))
		ex = append(ex, p.time("exec", name+"-a", "true"))
		down = append(down, p.time("kube", "down", p.manifest(name)))
	}
	f.up, f.exec, f.down = median(up), median(ex), median(down)
	var names []string
	defer func() {
		for _, n := range names {
			_ = p.cmd("pod", "rm", "-f", "-t", "0", n).Run()
		}
	}()
	for i := 0; i < pods; i++ {
		name := fmt.Sprintf("bench-pm-mem-%d-%d", os.Getpid(), i)
		f.manyUp += p.time("kube", "play", p.manifest(name))
		names = append(names, name)
		if i == 0 {
			time.Sleep(200 * time.Millisecond)
			for _, pid := range p.helpers(name) {
				f.rss += kb(pid, "VmRSS") / 1024
			}
		}
	}
	time.Sleep(200 * time.Millisecond)
	for _, n := range names {
		for _, pid := range p.helpers(n) {
			f.pss += pss(pid) / 1024
		}
	}
	f.pss /= float64(pods)
	for _, n := range names {
		f.manyDown += p.time("kube", "down", p.manifest(n))
	}
	names = nil
	return f
}

// podman runs podman with a configuration of the bench's own: rlimits
// within the caller's hard limits (root here may not raise them), and the
// first OCI runtime that starts the pod on this host.
type podman struct {
	dir, version, runtime string
	env                   []string
	images                map[string]bool // before the bench: the others are its own (and podman's pause image)
	hadKubeNet            bool            // podman's network for kube play was there before the bench
	hadNetnsMount         bool            // /run/netns was a mount point before the bench
	hadNetnsDir           bool            // and was there at all
	snapped               bool            // the fields above are read: cleanup may go by them
}

// netnsDir is where podman keeps its named network namespaces: the first
// one it makes on a host mounts the directory on itself, and leaves it so.
const netnsDir = "/run/netns"

// kubeNet is the network `podman kube play` creates on its first pod, with
// a bridge of its own.
const kubeNet = "podman-default-kube-network"

func (p *podman) setup() error {
	out, err := exec.Command("podman", "version", "--format", "{{.Client.Version}}").Output()
	if err != nil {
		return fmt.Errorf("podman version: %v", err)
	}
	p.version = strings.TrimSpace(string(out))
	p.images = p.imageIDs()
	p.hadKubeNet = exec.Command("podman", "network", "exists", kubeNet).Run() == nil
	mounted, err := mountPoint(netnsDir)
	p.hadNetnsMount = mounted || err != nil // unknown: leave it alone
	_, err = os.Stat(netnsDir)
	p.hadNetnsDir = err == nil
	p.snapped = true
	if err := p.importImage(); err != nil {
		return err
	}
	var why []string
	for _, rt := range []string{"crun", "runc"} {
		if _, err := exec.LookPath(rt); err != nil {
			continue
		}
		if err := p.configure(rt); err != nil {
			return err
		}
		name := fmt.Sprintf("bench-pm-try-%d", os.Getpid())
		out, err := p.cmd("kube", "play", p.manifest(name)).CombinedOutput()
		_ = p.cmd("pod", "rm", "-f", "-t", "0", name).Run()
		if err == nil {
			p.runtime = rt
			return nil
		}
		why = append(why, rt+": "+lastLine(string(out)))
	}
	return fmt.Errorf("podman cannot start the pod here (%s)", strings.Join(why, "; "))
}

func (p *podman) importImage() error {
	tar := exec.Command("tar", "-C", busyboxRootfs, "-c", ".")
	imp := exec.Command("podman", "import", "-q", "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin", "-", benchImage)
	pipe, err := tar.StdoutPipe()
	if err != nil {
		return err
	}
	imp.Stdin = pipe
	if err := tar.Start(); err != nil {
		return fmt.Errorf("tar busybox: %v", err)
	}
	out, err := imp.CombinedOutput()
	if werr := tar.Wait(); err == nil && werr != nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("podman import: %v %s", err, out)
	}
	return nil
}

func (p *podman) configure(runtime string) error {
	var nofile, nproc unix.Rlimit
	_ = unix.Getrlimit(unix.RLIMIT_NOFILE, &nofile)
	_ = unix.Getrlimit(unix.RLIMIT_NPROC, &nproc)
	conf := fmt.Sprintf("[containers]\ndefault_ulimits = [\"nofile=%d:%d\", \"nproc=%d:%d\"]\n[engine]\nruntime = %q\n",
		min(nofile.Max, 1024), min(nofile.Max, 1024), min(nproc.Max, 4096), min(nproc.Max, 4096), runtime)
	path := filepath.Join(p.dir, "containers.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		return err
	}
	p.env = append(os.Environ(), "CONTAINERS_CONF="+path)
	return nil
}

// cleanup removes the images the bench made podman keep, the mount of
// /run/netns its first pod made, and the network (and its bridge, which
// podman leaves) that its first kube play made.
func (p *podman) cleanup() {
	if !p.snapped {
		return
	}
	for id := range p.imageIDs() {
		if !p.images[id] {
			_ = exec.Command("podman", "rmi", "-f", id).Run()
		}
	}
	if !p.hadNetnsMount {
		unmountEmpty(netnsDir)
	}
	if !p.hadNetnsDir {
		_ = os.Remove(netnsDir) // only if empty
	}
	if p.hadKubeNet {
		return
	}
	out, err := exec.Command("podman", "network", "inspect", kubeNet, "--format", "{{.NetworkInterface}}").Output()
	if err != nil {
		return // none was made
	}
	_ = exec.Command("podman", "network", "rm", "-f", kubeNet).Run()
	if br := strings.TrimSpace(string(out)); br != "" {
		_ = exec.Command("ip", "link", "del", br).Run()
	}
}

// imageIDs lists the images the bench may leave: its own and podman's
// pause image (built on the first pod), not whatever else appears
// meanwhile.
func (p *podman) imageIDs() map[string]bool {
	out, _ := exec.Command("podman", "images", "--no-trunc", "--format", "{{.ID}} {{.Repository}}").Output()
	ids := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		id, repo, ok := strings.Cut(line, " ")
		if ok && (repo+":latest" == benchImage || repo == "localhost/podman-pause") {
			ids[id] = true
		}
	}
	return ids
}

func (p *podman) cmd(args ...string) *exec.Cmd {
	c := exec.Command("podman", args...)
	c.Env = p.env
	return c
}

func (p *podman) time(args ...string) time.Duration {
	start := time.Now()
	out, err := p.cmd(args...).CombinedOutput()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: podman %s: %v\n%s", strings.Join(args, " "), err, out)
		os.Exit(1)
	}
	return d
}

func (p *podman) manifest(name string) string {
	path := filepath.Join(p.dir, name+"-podman.yaml")
	y := strings.ReplaceAll(fmt.Sprintf(podYAML, name), "image: busybox", "image: "+benchImage)
	must(os.WriteFile(path, []byte(y), 0o644))
	return path
}

// helpers are podman's long-lived processes for pod name: the infra
// container's process (its pause) and a conmon per container.
func (p *podman) helpers(name string) []int {
	ids, err := p.cmd("ps", "-a", "-q", "--filter", "pod="+name).Output()
	must(err)
	out, err := p.cmd(append([]string{"inspect", "--format", "{{.State.ConmonPid}} {{.State.Pid}} {{.IsInfra}}"}, strings.Fields(string(ids))...)...).Output()
	must(err)
	var pids []int
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		conmon, _ := strconv.Atoi(f[0])
		pids = append(pids, conmon)
		if f[2] == "true" {
			pause, _ := strconv.Atoi(f[1])
			pids = append(pids, pause)
		}
	}
	return pids
}

// crunExec times `crun exec ID true` into a running busybox container:
// the fastest exec there is (C, no daemon, no monitor). It runs in a
// child of the bench with a mount namespace of its own, where crun's
// refusal of this host's hybrid cgroup layout (a v2 mount with a
// controller beside the v1 ones) is avoided by unmounting the v2 mount
// there; crun's cgroups are disabled, so its exec joins none.
func (b *bench) crunExec(runs int) figures {
	if _, err := exec.LookPath("crun"); err != nil {
		return figures{note: "crun not installed"}
	}
	self, err := os.Executable()
	must(err)
	cmd := exec.Command(self, "-crun-exec", strconv.Itoa(runs), "-crun-dir", b.dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNS}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return figures{note: "crun: " + lastLine(errb.String())}
	}
	var ds []time.Duration
	for _, f := range strings.Fields(out.String()) {
		n, _ := strconv.ParseInt(f, 10, 64)
		ds = append(ds, time.Duration(n))
	}
	if len(ds) == 0 {
		return figures{note: "crun: no runs"}
	}
	v, _ := exec.Command("crun", "--version").Output()
	return figures{exec: median(ds), note: strings.SplitN(string(v), "\n", 2)[0]}
}

// crunExecChild is the child's side: in its own mount namespace, it runs a
// container from the busybox image, prints each exec's nanoseconds, and
// removes the container.
func crunExecChild(runs int, dir string) {
	must(unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""))
	_ = unix.Unmount("/sys/fs/cgroup/unified", unix.MNT_DETACH)
	bundle, root := filepath.Join(dir, "crun-bundle"), filepath.Join(dir, "crun-root")
	must(os.MkdirAll(bundle, 0o700))
	must(os.WriteFile(filepath.Join(bundle, "config.json"), crunConfig(bundle), 0o600))
	crun := func(args ...string) *exec.Cmd {
		return exec.Command("crun", append([]string{"--root", root, "--cgroup-manager=disabled"}, args...)...)
	}
	id := fmt.Sprintf("minipod-bench-%d", os.Getpid())
	// The container keeps crun's output open: a file, not a pipe whose
	// end would never come.
	run := crun("run", "-d", "-b", bundle, id)
	log, err := os.Create(filepath.Join(dir, "crun-run.log"))
	must(err)
	run.Stdout, run.Stderr = log, log
	if err := run.Run(); err != nil {
		out, _ := os.ReadFile(log.Name())
		fmt.Fprintf(os.Stderr, "crun run: %v %s", err, out)
		os.Exit(1)
	}
	defer func() { _ = crun("delete", "-f", id).Run() }()
	for i := 0; i < runs; i++ {
		start := time.Now()
		if out, err := crun("exec", id, "true").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "crun exec: %v %s", err, out)
			return
		}
		fmt.Println(time.Since(start).Nanoseconds())
	}
}

// crunConfig is `crun spec`'s default, running sleep from the busybox
// image's root, read-only, without a terminal.
func crunConfig(bundle string) []byte {
	out, err := exec.Command("crun", "spec", "--bundle", bundle).CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "crun spec: %v %s", err, out)
		os.Exit(1)
	}
	var spec map[string]any
	b, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	must(err)
	must(json.Unmarshal(b, &spec))
	proc := spec["process"].(map[string]any)
	proc["terminal"] = false
	proc["args"] = []string{"sleep", "3600"}
	spec["root"] = map[string]any{"path": busyboxRootfs, "readonly": true}
	b, err = json.Marshal(spec)
	must(err)
	return b
}

// compare prints the targets' table: minipod's figures of this run beside
// podman's and crun's, measured in the same run.
func compare(mine, pm, cr figures) {
	fmt.Println("beside the nearest tools, this run (medians):")
	fmt.Printf("  podman: %s; crun: %s\n", pm.note, cr.note)
	row := func(what, target string, a, b, c string) {
		fmt.Printf("  %-26s %-12s %-12s %-10s %s\n", what, a, b, c, target)
	}
	row("", "target", "minipod", "podman", "crun")
	row("up -d (2 containers)", "≤ 25 ms", dur(mine.up), dur(pm.up), "—")
	row("down", "≤ 25 ms", dur(mine.down), dur(pm.down), "—")
	row("exec -- true", "≤ 4 ms", dur(mine.exec), dur(pm.exec), dur(cr.exec))
	row("RSS of helpers, one pod", "≤ 8 MB", mb(mine.rss), mb(pm.rss), "—")
	row(fmt.Sprintf("PSS per pod, %d pods", mine.pods), "≤ 2 MB", mb(mine.pss), mb(pm.pss), "—")
	row(fmt.Sprintf("%d pods up, one by one", mine.pods), "≤ 500 ms", dur(mine.manyUp), dur(pm.manyUp), "—")
	row(fmt.Sprintf("%d pods down, one by one", mine.pods), "≤ 500 ms", dur(mine.manyDown), dur(pm.manyDown), "—")
}

func dur(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f ms", ms(d))
}

func mb(v float64) string {
	if v == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f MB", v)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// mountPoint tells whether path is a mount point in this mount namespace.
func mountPoint(path string) (bool, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == path {
			return true, nil
		}
	}
	return false, nil
}

// unmountEmpty unmounts path, as often as it is mounted, while nothing is
// in it: a namespace still named there belongs to someone else.
func unmountEmpty(path string) {
	for i := 0; i < 8; i++ {
		mounted, err := mountPoint(path)
		if err != nil || !mounted {
			return
		}
		if names, err := os.ReadDir(path); err != nil || len(names) > 0 {
			return
		}
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
			fmt.Fprintf(os.Stderr, "bench: unmount %s: %v\n", path, err)
			return
		}
	}
}
