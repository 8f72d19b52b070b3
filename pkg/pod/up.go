package pod

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/monitor"
	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/teardown"
	"io"
	"maps"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/image/pullreq"
	"github.com/minipod/minipod/pkg/lean"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/probe/probereq"
	"github.com/minipod/minipod/pkg/selfexe"
	"golang.org/x/sys/unix"
)

// UpOptions are the flags of `minipod up`.
type UpOptions struct {
	Files  []string
	Detach bool
	// NoWaitReady returns once the containers started, ready or not.
	NoWaitReady bool
	Out         io.Writer // progress and, attached, the containers' output
	Err         io.Writer // warnings
}

// Up keeps the ConfigMaps, Secrets and claims of the manifests on the
// node, then creates every pod. Detached, it returns once each pod runs;
// attached, it streams their output until they finish or the user
// interrupts, which deletes them (not the objects, as kubectl).
func Up(o UpOptions) error {
	m, err := readManifests(o.Files, o.Err)
	if err != nil {
		return err
	}
	if len(m.Pods) == 0 {
		return applyObjects(m, o.Out, o.Err)
	}
	monitor.Trace("up: manifest read")
	uidWarnings, err := m.AssignUIDs()
	if err != nil {
		return err
	}
	for _, w := range uidWarnings {
		fmt.Fprintf(o.Err, "Warning: %s\n", w)
	}
	for _, p := range m.Pods {
		if err := checkImages(p); err != nil {
			return err
		}
	}
	if err := monitor.CheckSettings(); err != nil {
		return err
	}
	if err := monitor.CheckHostPathVolumes(m.Pods); err != nil {
		return err
	}
	monitor.Trace("up: node settings read")
	if err := applyObjects(m, o.Out, o.Err); err != nil {
		return err
	}
	var names []string
	for _, p := range m.Pods {
		pending, err := upOne(m, p, o.NoWaitReady)
		if err != nil {
			return err
		}
		if pending != "" {
			fmt.Fprintf(o.Err, "Warning: pod %s is Pending: %s\n", p.Name, pending)
		}
		names = append(names, p.Name)
		fmt.Fprintf(o.Out, "pod/%s created\n", p.Name)
	}
	if o.Detach {
		return nil
	}
	return attach(names, o.Out)
}

// readManifests reads and validates every file before anything is
// created; an object given twice is the later one, as with kubectl apply.
func readManifests(files []string, warn io.Writer) (*podspec.Manifest, error) {
	all := podspec.NewManifest()
	for _, f := range files {
		m, err := readManifest(f, warn)
		if err != nil {
			return nil, err
		}
		all.Pods = append(all.Pods, m.Pods...)
		maps.Copy(all.ConfigMaps, m.ConfigMaps)
		maps.Copy(all.Secrets, m.Secrets)
		maps.Copy(all.Claims, m.Claims)
		maps.Copy(all.Services, m.Services)
	}
	return all, nil
}

// readManifest reads and validates FILE ("-" is standard input), reading
// no more than the API server would accept (a FILE of /dev/zero fails at
// once).
func readManifest(file string, warn io.Writer) (*podspec.Manifest, error) {
	r := os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("read manifest: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := podspec.Read(r)
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", file, err)
	}
	m, warnings, err := podspec.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	for _, w := range warnings {
		fmt.Fprintf(warn, "Warning: %s\n", w)
	}
	return m, nil
}

// checkImages fails before anything is created if an image reference is
// not one; whether the image can be had is the monitor's to find out
// (ErrImagePull), as it is the kubelet's.
func checkImages(p *podspec.Pod) error {
	for i, c := range p.Spec.InitContainers {
		if _, err := image.ParseRef(c.Image); err != nil {
			return fmt.Errorf("pod %s: spec.initContainers[%d].image: %w", p.Name, i, err)
		}
	}
	for i, c := range p.Spec.Containers {
		if _, err := image.ParseRef(c.Image); err != nil {
			return fmt.Errorf("pod %s: spec.containers[%d].image: %w", p.Name, i, err)
		}
	}
	return nil
}

// upOne claims the name, stores the manifest, forks the monitor and waits
// for its report. If the monitor cannot be started, nothing is left. A pod
// that does not fit on the node is created and stays Pending: pending
// says why.
func upOne(m *podspec.Manifest, p *podspec.Pod, noWaitReady bool) (pending string, err error) {
	if err := roots.SecureData(); err != nil {
		return "", err
	}
	lock, err := roots.Create(p.Name)
	// An earlier `up` of this name died before its monitor started: its
	// directory is removed (by us, or by whoever reclaims it first).
	for tries := 0; errors.Is(err, state.ErrExist) && roots.Stale(p.Name) && tries < 30; tries++ {
		if !reclaimAbandoned(p.Name) {
			time.Sleep(100 * time.Millisecond)
		}
		lock, err = roots.Create(p.Name)
	}
	if err != nil {
		return "", err
	}
	msg, err := spawnMonitor(m, p, noWaitReady, lock)
	if err != nil {
		// The monitor died before reporting: stop whatever it recorded
		// (pause, containers), free the network, remove the files.
		if lock, lerr := waitLock(p.Name, 5*time.Second); lerr == nil {
			_ = teardown.Dead(roots, p.Name, roots.Grace(p, p.Name))
			lock.Close()
		}
		return "", err
	}
	if rest, ok := strings.CutPrefix(msg, "fail "); ok {
		return "", errors.New(rest)
	}
	if rest, ok := strings.CutPrefix(msg, "pending "); ok {
		return rest, nil
	}
	return "", nil
}

// spawnMonitor starts the pod's monitor and hands it the pod's lock,
// which `up` has held since it made the pod's directory: an `up` killed
// before this leaves a directory nobody holds (state.Abandoned).
func spawnMonitor(m *podspec.Manifest, p *podspec.Pod, noWaitReady bool, lock *os.File) (string, error) {
	defer lock.Close() // the monitor's copy keeps the lock
	if err := roots.SaveManifest(p); err != nil {
		return "", err
	}
	logf, err := os.OpenFile(roots.MonitorLog(p.Name), os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return "", fmt.Errorf("create monitor log: %w", err)
	}
	defer logf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return "", fmt.Errorf("start monitor: %w", err)
	}
	defer r.Close()
	// The monitor runs from a sealed, read-only copy of this binary, and
	// so does everything it starts inside the pod (pause, container init):
	// no container can reach the host's minipod binary through
	// /proc/PID/exe. Sealing needs the binary's mount to be in our mount
	// namespace, which the monitor's own namespace is not.
	exe, err := selfexe.Seal()
	if err != nil {
		return "", err
	}
	defer exe.Close()
	// Then the companion programs, each at its place (nil: not installed;
	// the monitor uses a role of its own binary, or pulls nothing).
	extra := []*os.File{w, lock}
	var dirWarned bool
	for _, name := range []string{"minipod-pause", "minipod-init", pullreq.Program, probereq.Program} {
		var f *os.File
		c, err := selfexe.SealCompanion(name)
		var de *selfexe.DirError
		if errors.As(err, &de) && dirWarned {
			err = nil // said once for all of them
		}
		if c != nil && name == probereq.Program {
			if err = probereq.Runnable(c.File()); err != nil {
				c.Close()
				c = nil
			}
		}
		if err != nil {
			dirWarned = dirWarned || errors.As(err, &de)
			fmt.Fprintf(os.Stderr, "Warning: %v\n", err)
		}
		if c != nil {
			defer c.Close()
			f = c.File()
		}
		extra = append(extra, f)
	}
	monitor.Trace("up: binary sealed")
	args := []string{monitor.Role, p.Name}
	if noWaitReady {
		args = append(args, monitor.NoWaitReady)
	}
	cmd := exec.Command(exe.Path(), args...)
	// The caller's environment (a trace, a proxy for pulls), with the
	// runtime setting a monitor that never profiles wants.
	cmd.Env = lean.Environ(os.Environ())
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = logf, logf, extra
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Cloneflags: unix.CLONE_NEWNS}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return "", fmt.Errorf("start monitor: %w", err)
	}
	_ = cmd.Process.Release()
	monitor.Trace("up: monitor started")
	line, err := bufio.NewReader(r).ReadString('\n')
	monitor.Trace("up: monitor reported")
	if line == "" && err != nil {
		return "", fmt.Errorf("monitor of %s exited before reporting; see %s", p.Name, logf.Name())
	}
	return strings.TrimSpace(line), nil
}
