package pod

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// DownOptions are the flags of `minipod down`.
type DownOptions struct {
	Names []string
	File  string // delete the pods this manifest defines
	Out   io.Writer
	Err   io.Writer
}

// Down deletes pods: graceful stop, then every process, mount, namespace,
// volume, log and state file goes. Deleting a pod that does not exist is
// not an error, so Down can always be repeated.
func Down(o DownOptions) error {
	names := o.Names
	if o.File != "" {
		m, err := readManifest(o.File, io.Discard)
		if err != nil {
			return err
		}
		for _, p := range m.Pods {
			names = append(names, p.Name)
		}
	}
	if len(names) == 0 {
		return errors.New("down: name a pod or give -f FILE")
	}
	var errs []error
	for _, n := range names {
		existed, err := downOne(n)
		switch {
		case err != nil:
			errs = append(errs, err)
		case existed:
			fmt.Fprintf(o.Out, "pod %q deleted\n", n)
		default:
			fmt.Fprintf(o.Err, "pod %q not found\n", n)
		}
	}
	return errors.Join(errs...)
}

func downOne(name string) (bool, error) {
	if err := state.ValidName(name); err != nil {
		return false, err
	}
	if _, err := os.Stat(roots.PodRun(name)); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	lock, err := roots.Lock(name)
	if errors.Is(err, state.ErrLocked) {
		if err := stopMonitor(name); err != nil {
			return true, err
		}
		lock, err = roots.Lock(name)
	}
	if errors.Is(err, os.ErrNotExist) {
		return true, nil // the monitor removed everything
	}
	if err != nil {
		return true, err
	}
	defer lock.Close()
	return true, cleanDead(name)
}

// stopMonitor asks the live monitor to delete the pod and waits until it
// has exited (its flock is released when it does).
func stopMonitor(name string) error {
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
	grace := 30 * time.Second
	if st.Monitor.PID != 0 {
		if g := podGrace(name); g >= 0 {
			grace = g
		}
	}
	if !waitExit(st.Monitor, grace+15*time.Second) {
		return fmt.Errorf("down %s: monitor (pid %d) did not exit", name, st.Monitor.PID)
	}
	return nil
}

// cleanDead removes a pod whose monitor is gone (killed, or finished after
// the pod completed): stray processes first, then files.
func cleanDead(name string) error {
	st, err := roots.Load(name)
	if errors.Is(err, state.ErrNotExist) {
		return nil
	}
	if err != nil {
		st = &state.Pod{Name: name}
	}
	var procs []state.Proc
	for _, c := range append(append([]state.Container{}, st.InitContainers...), st.Containers...) {
		if c.Proc.PID != 0 {
			procs = append(procs, c.Proc)
		}
	}
	grace := 30 * time.Second
	if g := podGrace(name); g >= 0 {
		grace = g
	}
	stopProcs(procs, grace)
	if st.Pause.PID != 0 {
		stopProcs([]state.Proc{st.Pause}, pauseGrace)
	}
	return removePodFiles(st)
}

// podGrace reads terminationGracePeriodSeconds from the stored manifest;
// -1 if unknown.
func podGrace(name string) time.Duration {
	data, err := os.ReadFile(roots.Manifest(name))
	if err != nil {
		return -1
	}
	m, _, err := podspec.Parse(data)
	if err != nil || len(m.Pods) == 0 || m.Pods[0].Spec.TerminationGracePeriodSeconds == nil {
		return -1
	}
	return time.Duration(*m.Pods[0].Spec.TerminationGracePeriodSeconds) * time.Second
}
