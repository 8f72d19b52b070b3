package teardown

import (
	"errors"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/state"
)

// PauseGrace bounds how long the pause process may take to exit on SIGTERM.
const PauseGrace = 2 * time.Second

// cgroupDrain bounds how long removing a pod's cgroup waits for the
// processes it killed to be gone.
const cgroupDrain = 5 * time.Second

// Pod removes everything of pod st once its processes are gone (the
// cgroup kills stragglers): mounts below its directories in the caller's
// mount namespace, the network attachment (held: the caller's hostPort
// sockets, or nil), the cgroup, then the files. The network comes apart
// while the rest does (it shares nothing with them; one after the other,
// the three took a third of `down`). The cgroup goes before the data and
// logs, so that no straggler still writes there, and the run directory
// last, after everything else: it is how `down` finds a pod whose
// teardown was cut short (its monitor killed in the middle).
func Pod(r state.Roots, st *state.Pod, held *network.PortHold) error {
	return pod(r, st, held, network.Config.Detach)
}

func pod(r state.Roots, st *state.Pod, held *network.PortHold, detach detachFunc) error {
	unmountUnder(r.PodRun(st.Name))
	unmountUnder(r.PodData(st.Name))
	detached := meanwhile(func() error { return detachWith(r, st, held, detach) })
	errs := []error{destroyCgroup(st), removeData(r, st)}
	errs = append(errs, detached())
	return errors.Join(append(errs, removeRun(r, st))...)
}

// Sandbox frees what a pod holds on the node beyond its files: the
// network attachment and the cgroup, as the kubelet does once a pod has
// finished; its logs and state stay for `get` and `logs`.
func Sandbox(r state.Roots, st *state.Pod, held *network.PortHold) error {
	detached := meanwhile(func() error { return detachNetwork(r, st, held) })
	cgroup := destroyCgroup(st)
	return errors.Join(detached(), cgroup)
}

// meanwhile runs fn on a goroutine of its own; wait returns its error.
func meanwhile(fn func() error) (wait func() error) {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return func() error { return <-done }
}

// Dead removes pod name whose monitor is gone (killed, or finished after
// the pod completed): the recorded processes first (SIGTERM, grace, then
// SIGKILL), pause, then everything else.
func Dead(r state.Roots, name string, grace time.Duration) error {
	st, err := r.Load(name)
	if errors.Is(err, state.ErrNotExist) {
		return nil
	}
	if err != nil {
		st = &state.Pod{Name: name}
	}
	var procs []state.Proc
	for _, c := range st.All() {
		if c.Proc.PID != 0 {
			procs = append(procs, c.Proc)
		}
	}
	StopProcs(procs, grace)
	if st.Pause.PID != 0 {
		StopProcs([]state.Proc{st.Pause}, PauseGrace)
	}
	// The cgroup catches what the recorded PIDs miss: exec'd commands,
	// processes that outlived their container's init. The veth pair is
	// deleted, not cut off: no monitor looked for TCP sockets keeping the
	// network namespace alive (and a cut pair with it, for minutes). The
	// deletion's ~20 ms is paid only where a pair is left: after a
	// monitor that died, not after one that finished (a completed pod's
	// teardown cut it already, and the kernel took it).
	return pod(r, st, nil, network.Config.DetachDeleting)
}

// destroyCgroup kills whatever is left in the pod's cgroup (processes that
// escaped their container's PID namespace init, exec'd commands) and
// removes it. A pod that never recorded a cgroup has none.
func destroyCgroup(st *state.Pod) error {
	if st.Cgroup.Path == "" {
		return nil
	}
	dirs, err := cgroups.Recorded(st.Cgroup.V2, st.Cgroup.Mount).Resolve(st.Cgroup.Path)
	if err != nil {
		return err
	}
	return cgroups.Destroy(dirs, cgroupDrain)
}

// detachNetwork removes the pod's lease, hostPorts and NAT rules, and cuts
// its veth pair off: the kernel deletes the pair with the pod's network
// namespace.
func detachNetwork(r state.Roots, st *state.Pod, held *network.PortHold) error {
	return detachWith(r, st, held, network.Config.Detach)
}

// Network frees the pod's network attachment alone (its address, hostPort
// rules and sockets): a pod whose sandbox died gets a new one. Its veth
// pair is gone when Network returns: the new one takes its name.
func Network(r state.Roots, st *state.Pod, held *network.PortHold) error {
	return detachWith(r, st, held, network.Config.DetachDeleting)
}

type detachFunc func(network.Config, network.Owner, network.Alive, *network.PortHold) error

func detachWith(r state.Roots, st *state.Pod, held *network.PortHold, detach detachFunc) error {
	if st.HostNetwork {
		return nil
	}
	cfg, err := network.LoadConfig(r.Data)
	if err != nil {
		return err
	}
	// The pod being deleted still has its state directory: count it dead.
	alive := func(pod, uid string) bool { return pod != st.Name && r.Alive(pod, uid) }
	return detach(cfg, network.Owner{Pod: st.Name, UID: st.UID}, alive, held)
}
