package pod

import (
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/teardown"
	"io"
	"math"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/services"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// DownOptions are the flags of `minipod down`.
type DownOptions struct {
	Names []string
	Files []string // delete the pods and objects these manifests define
	// GracePeriod overrides terminationGracePeriodSeconds when >= 0, as
	// `kubectl delete --grace-period` does.
	GracePeriod int
	// IgnoreNotFound makes a pod that does not exist no error.
	IgnoreNotFound bool
	Out            io.Writer
	Err            io.Writer
}

// Down deletes pods: graceful stop, then every process, mount, namespace,
// volume, log and state file goes. A pod that does not exist is an error
// naming it, as for kubectl delete, unless IgnoreNotFound.
func Down(o DownOptions) error {
	names := o.Names
	m := podspec.NewManifest()
	if len(o.Files) > 0 {
		var err error
		if m, err = readManifests(o.Files, io.Discard); err != nil {
			return err
		}
		for _, p := range m.Pods {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 && len(m.ConfigMaps)+len(m.Secrets)+len(m.Claims)+len(m.Services) == 0 {
		return errors.New("down: name a pod or give -f FILE")
	}
	errs := downPods(names, o)
	// After the pods: a claim is not deleted while a pod uses it.
	errs = append(errs, deleteManifestObjects(m, o)...)
	// The pods' endpoints go, also when their monitors could not say so
	// (killed), and the files' Services with them. The pods are gone
	// either way: a failed sync is a warning, and the next one catches up.
	if err := services.Sync(roots); err != nil {
		fmt.Fprintf(o.Err, "Warning: %v\n", err)
	}
	return errors.Join(errs...)
}

func downPods(names []string, o DownOptions) []error {
	var errs []error
	for _, n := range names {
		existed, err := downOne(n, o.GracePeriod)
		switch {
		case err != nil:
			errs = append(errs, err)
		case existed:
			fmt.Fprintf(o.Out, "pod %q deleted\n", n)
		case !o.IgnoreNotFound:
			// As kubectl delete: the others are still deleted.
			errs = append(errs, fmt.Errorf("pods %q not found", n))
		}
	}
	return errs
}

func downOne(name string, gracePeriod int) (bool, error) {
	if err := state.ValidName(name); err != nil {
		return false, err
	}
	if _, err := os.Stat(roots.PodRun(name)); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if gracePeriod >= 0 {
		// The monitor reads this when it starts stopping the pod.
		if err := roots.SaveGrace(name, gracePeriod); err != nil {
			return true, err
		}
	}
	p, _ := roots.LoadManifest(name) // none: the default grace period
	grace := roots.Grace(p, name)
	lock, err := roots.Lock(name)
	if errors.Is(err, state.ErrLocked) {
		if err := stopMonitor(name, grace); err != nil {
			return true, err
		}
		lock, err = waitLock(name, afterGrace(grace))
		if errors.Is(err, state.ErrLocked) {
			// The monitor is dead, yet its lock is held: by a child it
			// forked that never got to exec (a container can stop one).
			// The pod's cgroup holds that child; cleaning kills it.
			return true, teardown.Dead(roots, name, grace)
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		// The monitor removed everything, or the lock is gone while a
		// stray file (our grace-period) kept the directory: finish it.
		return true, teardown.Dead(roots, name, grace)
	}
	if err != nil {
		return true, err
	}
	defer lock.Close()
	return true, teardown.Dead(roots, name, grace)
}

// stopMonitor asks the live monitor to delete the pod and waits until it
// has exited (its flock is released when it does).
func stopMonitor(name string, grace time.Duration) error {
	var st *state.Pod
	for i := 0; ; i++ {
		var err error
		if st, err = roots.Load(name); err != nil {
			return err
		}
		if st.Monitor.PID != 0 || i == 200 {
			break
		}
		time.Sleep(10 * time.Millisecond) // the monitor is still booting
	}
	if err := st.Monitor.Signal(unix.SIGTERM); err != nil {
		return nil // exited meanwhile; the caller cleans up
	}
	if teardown.WaitExit(st.Monitor, afterGrace(grace)) {
		return nil
	}
	// A monitor that does not stop in time is stuck: end it, and clean up
	// as after any monitor's death.
	if err := st.Monitor.Signal(unix.SIGKILL); err == nil && !teardown.WaitExit(st.Monitor, 5*time.Second) {
		return fmt.Errorf("down %s: monitor (pid %d) did not exit, even on SIGKILL", name, st.Monitor.PID)
	}
	return nil
}

// waitLock takes the pod's lock once its monitor has let go of it. The
// monitor may be finishing a completed pod on its own (it then ignores
// SIGTERM), so its exit is not always ours to see; the lock is the truth.
func waitLock(name string, timeout time.Duration) (*os.File, error) {
	deadline := time.Now().Add(timeout)
	for {
		lock, err := roots.Lock(name)
		if !errors.Is(err, state.ErrLocked) || time.Now().After(deadline) {
			return lock, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// afterGrace is how long `down` waits for a monitor: the grace period plus
// time to clean up, saturating rather than wrapping for a huge
// terminationGracePeriodSeconds (which Kubernetes accepts).
func afterGrace(grace time.Duration) time.Duration {
	const cleanup = 15 * time.Second
	if grace > math.MaxInt64-cleanup {
		return math.MaxInt64
	}
	return grace + cleanup
}
