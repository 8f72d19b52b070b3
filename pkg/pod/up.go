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
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	// up reads YAML manifests; the decoder is linked here, not in
	// podspec, so that the pod's monitor goes without it.
	_ "github.com/minipod/minipod/pkg/podspec/yamlin"
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
	data, err := readFiles(o.Files)
	if err != nil {
		return err
	}
	monitor.Trace("up: files read")
	// The first pod's monitor starts while the manifest is decoded and
	// checked; one that is not handed a pod ends before Up returns.
	next := startMonitor()
	defer func() { next.abandon() }()
	m, err := parseManifests(o.Files, data, o.Err)
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
	var errs []error
	for i, p := range m.Pods {
		if i > 0 {
			next.abandon() // unless the pod before was handed to it
			next = startMonitor()
		}
		warning, err := upOne(p, o.NoWaitReady, next)
		if err != nil && !o.Detach {
			return err // attached: as before, up stops at the first failure
		}
		if err != nil {
			// As kubectl apply: a pod that cannot be created, or does not
			// come up, keeps none of the file's other pods from being
			// created; its error is reported with theirs at the end,
			// naming it.
			if !strings.Contains(err.Error(), p.Name) {
				err = fmt.Errorf("pod %s: %w", p.Name, err)
			}
			errs = append(errs, err)
			continue
		}
		if warning != "" {
			fmt.Fprintf(o.Err, "Warning: pod %s %s\n", p.Name, warning)
		}
		names = append(names, p.Name)
		fmt.Fprintf(o.Out, "pod/%s created\n", p.Name)
	}
	if o.Detach {
		return errors.Join(errs...)
	}
	return attach(names, o.Out)
}

// readFiles reads every file ("-" is standard input), no more than the
// API server would accept of each (a FILE of /dev/zero fails at once).
func readFiles(files []string) ([][]byte, error) {
	var out [][]byte
	for _, f := range files {
		data, err := readFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}

func readFile(file string) ([]byte, error) {
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
	return data, nil
}

// readManifests reads, decodes and validates every file.
func readManifests(files []string, warn io.Writer) (*podspec.Manifest, error) {
	data, err := readFiles(files)
	if err != nil {
		return nil, err
	}
	return parseManifests(files, data, warn)
}

// parseManifests decodes and validates every file's data before anything
// is created; an object given twice is the later one, as with kubectl
// apply.
func parseManifests(files []string, data [][]byte, warn io.Writer) (*podspec.Manifest, error) {
	all := podspec.NewManifest()
	for i, f := range files {
		m, warnings, err := podspec.Parse(data[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, w := range warnings {
			fmt.Fprintf(warn, "Warning: %s\n", w)
		}
		all.Pods = append(all.Pods, m.Pods...)
		maps.Copy(all.ConfigMaps, m.ConfigMaps)
		maps.Copy(all.Secrets, m.Secrets)
		maps.Copy(all.Claims, m.Claims)
		maps.Copy(all.Services, m.Services)
	}
	return all, nil
}

// upOne claims the name, stores the manifest, hands the pod to its
// monitor and waits for its report. If the monitor cannot be started,
// nothing is left. A pod that does not fit on the node is created and
// stays Pending, and one whose readiness probe failed is created not
// ready: warning says so, and why.
func upOne(p *podspec.Pod, noWaitReady bool, mon *waitingMonitor) (warning string, err error) {
	if err := roots.SecureData(); err != nil {
		return "", err
	}
	lock, err := roots.Create(p.Name)
	// An earlier `up` of this name died before it handed the pod to its
	// monitor: its directory is removed (by us, or by whoever reclaims it
	// first).
	for tries := 0; errors.Is(err, state.ErrExist) && roots.Stale(p.Name) && tries < 30; tries++ {
		if !reclaimAbandoned(p.Name) {
			time.Sleep(100 * time.Millisecond)
		}
		lock, err = roots.Create(p.Name)
	}
	if err != nil {
		return "", err
	}
	msg, err := spawnMonitor(p, noWaitReady, lock, mon)
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
		return "is Pending: " + rest, nil
	}
	if rest, ok := strings.CutPrefix(msg, "unready "); ok {
		return "is not ready: " + rest, nil
	}
	return "", nil
}

// spawnMonitor hands the pod and its lock to its monitor, which `up`
// has held since it made the pod's directory (an `up` killed before this
// leaves a directory nobody holds: see state.Roots.Stale), and waits for
// the monitor's report.
func spawnMonitor(p *podspec.Pod, noWaitReady bool, lock *os.File, mon *waitingMonitor) (string, error) {
	defer lock.Close() // the monitor's copy keeps the lock
	if err := roots.SaveManifest(p); err != nil {
		return "", err
	}
	logf, err := os.OpenFile(roots.MonitorLog(p.Name), os.O_WRONLY|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return "", fmt.Errorf("create monitor log: %w", err)
	}
	defer logf.Close()
	if err := mon.handOver(p.Name, noWaitReady, lock, logf); err != nil {
		return "", err
	}
	defer mon.report.Close()
	line, err := bufio.NewReader(mon.report).ReadString('\n')
	monitor.Trace("up: monitor reported")
	if line == "" && err != nil {
		return "", fmt.Errorf("monitor of %s exited before reporting; see %s", p.Name, logf.Name())
	}
	return strings.TrimSpace(line), nil
}
