package monitor

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/lean"
	"github.com/minipod/minipod/pkg/teardown"
	"net"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/minipod/minipod/pkg/capacity"
	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/infra"
	"github.com/minipod/minipod/pkg/logs"
	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/store"
	"golang.org/x/sys/unix"
)

// readyFd is where `up` hands the monitor the write end of its report
// pipe, lockFd the pod's lock, which `up` took when it made the pod's
// directory (in a monitor started Waiting, the socket the lock comes
// on), pauseFd, initFd, pullFd and probeFd the sealed
// minipod-pause, minipod-init, minipod-pull and minipod-probe programs,
// when they are installed (see pod.startMonitor).
const (
	readyFd = 3
	lockFd  = 4
	pauseFd = 5
	initFd  = 6
	pullFd  = 7
	probeFd = 8
)

// monitor supervises one pod for its whole life.
type monitor struct {
	pod *podspec.Pod
	// objs are the node's ConfigMaps, Secrets and claims the pod refers to.
	objs podspec.Objects
	// waitingVols are volumes whose object the node does not have yet; no
	// container starts before they are made (objwait.go).
	waitingVols []*podspec.Volume
	// imageVols are the pod's image volumes (imagevol.go); imageVolDue
	// hears their timers.
	imageVols   []*imageVol
	imageVolDue chan imageVolTimer
	volTimer    *time.Timer
	volumesDue  chan struct{}
	mountMsgs   map[string]string // the last FailedMount message of each
	// warnedPullSecrets: a missing imagePullSecret was told once
	warnedPullSecrets bool
	// spawnNoted: why an init could not be spawned was told once
	// (spawnsInit)
	spawnNoted bool
	// endpointKey is the readiness and address the node's Services last
	// heard of; syncWanted asks syncServices for a sync (endpoints.go)
	endpointKey string
	syncWanted  chan struct{}
	st          *state.Pod
	ctrs        []*ctr // init containers first, in order, then app containers
	byPID       map[int]*ctr
	logDir      string
	driver      cgroups.Driver
	logOpt      logs.Options // rotation limits, read once at start
	pe          podEnv
	ready       *os.File // report pipe to `up`; nil once reported
	exits       chan exitEvent
	kick        chan struct{}
	retry       chan *ctr
	pulled      chan pullResult
	// backoffShown turns ErrImagePull into ImagePullBackOff.
	backoffShown chan *ctr
	// execs are `minipod exec` requests (see execwire.go).
	execAsks  chan execAsk
	execForks chan execForked
	execWaits map[int]chan int
	// execsOut counts the execs handed a container whose fork the loop
	// has not heard of yet (answerExec).
	execsOut int
	execSock *net.UnixListener
	// spawned brings back the outcome of container starts, which run off
	// the loop; unclaimed holds exits reaped before their fork was
	// registered (claim.go).
	spawned   chan spawnResult
	unclaimed map[int]exitEvent
	// stopping is closed when the pod starts being deleted: starts in
	// flight give up.
	stopping chan struct{}
	// evictions brings a local-storage excess (evict.go); deadline fires
	// at activeDeadlineSeconds; killed is set once the node has failed the
	// pod for either (failPod).
	// waitReady: `up` waits for readiness (not `up --wait-ready=false`).
	waitReady bool
	evictions chan string
	logLost   chan logTrouble
	probed    chan probeResult
	hooked    chan hookResult
	deadline  <-chan time.Time
	killed    bool
	// completing: the app containers of a pod that does not restart them
	// are done, and its sidecars are being stopped (sidecar.go).
	completing bool
	// resandbox: the pause process died and a new sandbox is to be made
	// once the containers are stopped (sandbox.go), after sandboxTimer;
	// sandboxDue brings the timer to the loop.
	resandbox    bool
	sandboxTimer *time.Timer
	sandboxDue   chan struct{}
	sandboxDelay time.Duration
	lastSandbox  time.Time
	// stopBy is when the grace period of the stop under way ends: the
	// sidecars, stopped last, get what is left of it.
	stopBy  time.Time
	term    chan os.Signal
	killAt  <-chan time.Time
	stopped bool     // pause has been told to stop
	lock    *os.File // held for the monitor's whole life
	saved   []byte   // what state.json holds, as the last save wrote it
	spare   []byte   // the buffer the next record is encoded into
	// binding is what the binding file holds (nil: no file); bindingBehind
	// is set until it holds the record's binding (see writeBinding).
	binding       []byte
	bindingBehind bool
	lifeline      *os.File // pause exits on EOF here: when we die, or let it go
	// nsHeld keeps the pod's shared namespaces, so that pause can go
	// (holdNamespaces, retirePause); retiredPause is the PID of that pause, whose exit
	// is no sandbox's death.
	nsHeld       *ns.Set
	retiredPause int
	// copiers counts log copiers still draining container output; serving
	// the exec and attach sessions still answering their callers.
	copiers sync.WaitGroup
	serving sync.WaitGroup
	// execGrace bounds how long a pod that is over waits for the exit of
	// exec'd commands (execWaits), so their callers hear how they ended.
	execGrace     <-chan time.Time
	execGraceOver bool
	// tidyDue brings the tidy-up after the report (tidy) to the loop.
	tidyDue <-chan time.Time
	// filters are the pod's RuntimeDefault seccomp programs, compiled
	// once for every start (filters.go).
	filters filters
	// podIP is st.PodIP for container starts, which may read it while
	// the loop's goroutine sets it (startPod); gate holds the first
	// containers until the network is attached, nil after boot.
	podIP address
	gate  *gate
}

// Main is the monitor process: `minipod-monitor monitor POD` (or the
// same role of minipod). `up` starts it
// in a new mount namespace of its own, in a new session.
func Main(args []string) {
	lean.NoProfiling()
	pauseExe() // before anything is opened: see pauseFd
	initExe()
	pullExe()
	probeExe()
	// The monitor collects when it is idle after work (run), never during
	// a fork, and its forks need no collection of their own first.
	container.OwnCollector()
	// A container fork shares the monitor's memory until it execs; with a
	// shared PID namespace other containers could see that child.
	_ = unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	args = waitForPod(args)
	if len(args) < 1 || len(args) > 2 || len(args) == 2 && args[1] != NoWaitReady {
		fmt.Fprintln(os.Stderr, "usage: minipod monitor POD ["+NoWaitReady+"] | minipod monitor "+Waiting)
		os.Exit(2)
	}
	// The main goroutine keeps the main thread (cmd/minipod locks it:
	// no goroutine that taints its thread may land there), so it does the
	// one job that holds a thread anyway: waiting for children (reap).
	// The monitor runs on a goroutine of its own, and a pod costs one
	// thread fewer.
	go func() {
		mon, err := newMonitor(args[0], len(args) == 1)
		if errors.Is(err, errDeletedPending) {
			os.Exit(0) // `down` of a pod that never fitted: nothing else to do
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "monitor %s: %v\n", args[0], err)
			os.Exit(1)
		}
		os.Exit(mon.run())
	}()
	r := <-reaping
	reap(r.exits, r.kick)
}

// notifySignals has the signals the monitor acts on delivered to it, on
// a goroutine: the first Notify starts os/signal's own goroutines and
// threads (~0.4 ms here), which the other core does while boot reads
// the pod. The returned channel closes once they are in place; boot waits
// for it before anything the signals concern: the first record, which
// tells `down` whom to signal, then reaping, exec sessions, forks and the
// loop.
func (mon *monitor) notifySignals() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		signal.Notify(mon.term, unix.SIGTERM, unix.SIGINT)
		// Caught, not ignored: an ignored signal stays ignored across fork
		// and exec, and containers must get SIGHUP and SIGPIPE with their
		// default action (a stopSignal of SIGHUP would otherwise do nothing).
		signal.Notify(make(chan os.Signal, 1), unix.SIGHUP, unix.SIGPIPE)
		close(done)
	}()
	return done
}

// NoWaitReady, after the pod's name, makes the monitor report the pod to
// `up` once its containers started, ready or not.
const NoWaitReady = "--no-wait-ready"

func newMonitor(name string, waitReady bool) (*monitor, error) {
	ready := os.NewFile(readyFd, "ready")
	unix.CloseOnExec(readyFd)
	mon := &monitor{waitReady: waitReady, ready: ready, byPID: map[int]*ctr{},
		exits: make(chan exitEvent, 16), kick: make(chan struct{}, 1),
		retry: make(chan *ctr, 16), pulled: make(chan pullResult, 16), backoffShown: make(chan *ctr, 16), term: make(chan os.Signal, 2),
		execAsks: make(chan execAsk), execForks: make(chan execForked), execWaits: map[int]chan int{},
		spawned: make(chan spawnResult, 16), unclaimed: map[int]exitEvent{}, stopping: make(chan struct{}), evictions: make(chan string), logLost: make(chan logTrouble, 16), sandboxDue: make(chan struct{}, 1), volumesDue: make(chan struct{}, 1), imageVolDue: make(chan imageVolTimer, 4), mountMsgs: map[string]string{}, syncWanted: make(chan struct{}, 1), probed: make(chan probeResult), hooked: make(chan hookResult)}
	if err := mon.boot(name); err != nil {
		// Without the lock the pod is not ours (a later `up` of the same
		// name may own it now): tear nothing down.
		if mon.lock != nil {
			mon.failBoot(name)
		}
		mon.report("fail " + err.Error())
		return nil, err
	}
	return mon, nil
}

// boot does everything before the first container starts. On error the
// caller tears down whatever was made.
func (mon *monitor) boot(name string) error {
	notified := mon.notifySignals()
	// Mounts made here must never propagate to the host; host mounts may
	// still propagate in.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	// Keep the lock file referenced: a collected *os.File closes its fd,
	// and closing it would drop the flock that tells `down` we are alive.
	lock, err := adoptLock(name)
	if err != nil {
		return err
	}
	mon.lock = lock
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("become subreaper: %w", err)
	}

	if err := mon.load(name, notified); err != nil {
		return err
	}
	reaping <- reaper{mon.exits, mon.kick}
	if mon.execSock, err = listenExec(roots.PodRun(name)); err != nil {
		return err
	}
	go mon.acceptExecs(mon.execSock)
	go mon.syncServices()
	trace("loaded")
	if err := mon.schedule(); err != nil {
		return err
	}
	trace("scheduled")
	return mon.startPod()
}

// load reads the pod and writes its first record, once notified is
// closed: the record names this process, and `down` sends SIGTERM to the
// process it names, which must then be caught.
func (mon *monitor) load(name string, notified <-chan struct{}) error {
	p, err := roots.LoadManifest(name)
	if err != nil {
		return err
	}
	mon.pod, mon.objs = p, store.New(roots)
	mon.st = newState(mon.pod)
	mon.logDir = logs.PodDir(roots.Logs, mon.pod.Namespace, mon.pod.Name, mon.pod.UID)
	<-notified
	mon.save()
	if mon.logOpt, err = logOptions(); err != nil {
		return err
	}
	return nil
}

// prepare makes the pod's volumes, shared files and container bundles.
func (mon *monitor) prepare() error {
	files, err := writePodFiles(mon.pod)
	if err != nil {
		return err
	}
	vols, waiting, err := makeVolumes(roots.Volumes(mon.pod.Name), mon.objs, mon.pod)
	if err != nil {
		return err
	}
	mon.waitingVols = waiting
	mon.imageVols = newImageVols(mon.pod, func(name string) string { return vols[name].Dir })
	mem, err := capacity.MemTotal()
	if err != nil {
		return err
	}
	// The node's allocatable amounts only matter to a resourceFieldRef;
	// measuring them (statfs, hugepage pools, settings) stays off the
	// path of every other pod's start.
	var alloc podspec.ResourceAmounts
	if usesResourceFieldRef(mon.pod) {
		if alloc, err = capacity.Allocatable(roots.Data); err != nil {
			return err
		}
	}
	services, err := nodeconfig.ServiceCIDR()
	if err != nil {
		return err
	}
	mon.pe = podEnv{objs: mon.objs, pod: mon.pod, hostname: nodename(mon.pod), volumes: vols, files: files, podIP: &mon.podIP, userNS: mon.st.UserNS,
		driver: mon.driver, nodeMemory: mem, allocatable: alloc, filters: &mon.filters,
		apiServerIP: nodeconfig.KubernetesServiceIP(services).String()}
	mon.ctrs = makeCtrs(mon.pod, mon.st)
	return nil
}

func makeCtrs(p *podspec.Pod, st *state.Pod) []*ctr {
	var out []*ctr
	for i := range p.Spec.InitContainers {
		c := &p.Spec.InitContainers[i]
		out = append(out, &ctr{spec: c, init: true, sidecar: c.IsSidecar(), st: &st.InitContainers[i]})
	}
	for i := range p.Spec.Containers {
		out = append(out, &ctr{spec: &p.Spec.Containers[i], st: &st.Containers[i]})
	}
	for _, c := range out {
		c.bundle = roots.Bundle(p.Name, c.spec.Name)
		c.layer = roots.Layer(p.Name, c.spec.Name)
		c.mayTrace = plannedMayTrace(p, c.spec)
	}
	return out
}

// startPod starts the namespace holder in the pod's cgroup, and prepares
// what every container needs: volumes, files, network, namespace paths.
func (mon *monitor) startPod() error {
	mon.filters.prefetch(mon.pod)
	place, err := mon.makePodCgroup()
	if err != nil {
		return err
	}
	trace("pod cgroup created")
	p, err := mon.forkPause(place)
	if err != nil {
		return err
	}
	trace("pause forked")
	// While pause's runtime starts: volumes, files, and the pod's network
	// (its namespace exists since the fork).
	if err := mon.prepare(); err != nil {
		return err
	}
	trace("prepared")
	mon.makeContainerCgroups()
	mon.nodeAddress()
	plugged := mon.plugInMeanwhile(p.PID)
	// Whatever can fail comes before the gate opens: after it, commands
	// run.
	err = mon.sandboxHeld(p)
	if err == nil {
		err = mon.watchStorage()
	}
	if err != nil {
		return mon.abandonStart(p, plugged, err)
	}
	if err := mon.startHeld(p, plugged); err != nil {
		return err
	}
	mon.retirePause()
	return nil
}

// infraOptions are the pod's namespaces as pause makes them.
func (mon *monitor) infraOptions() infra.Options {
	share := mon.pod.Spec.ShareProcessNamespace != nil && *mon.pod.Spec.ShareProcessNamespace
	return infra.Options{SharePID: share, HostNetwork: mon.pod.Spec.HostNetwork, HostIPC: mon.pod.Spec.HostIPC, Sysctls: podSysctls(mon.pod), UserNS: mon.st.UserNS}
}

// forkPause starts pause in its cgroup leaf (place, closed here) and
// records it before anything else can fail or kill us.
func (mon *monitor) forkPause(place *cgroups.Placement) (*infra.Process, error) {
	opts := mon.infraOptions()
	opts.Cgroup = place
	filter, err := mon.pauseFilter(opts)
	if err != nil {
		place.Close()
		return nil, err
	}
	opts.Filter = filter
	p, err := infra.Fork(pauseExe(), nodename(mon.pod), opts)
	place.Close()
	if err != nil {
		return nil, err
	}
	if filter {
		go mon.sendPauseFilter(p.Lifeline) // compiled while pause starts
	}
	if mon.lifeline != nil {
		mon.lifeline.Close() // a former sandbox's
	}
	mon.lifeline = p.Lifeline
	mon.kickReaper()
	protectSandbox(p.PID)
	mon.st.Pause = state.Identify(p.PID)
	mon.st.Namespaces = ns.Inodes(p.PID)
	mon.save()
	return p, nil
}

// sandboxHeld takes the pod's namespaces over from pause (set up or
// not: they exist since its fork), then points the pod's files and every
// container start at them.
func (mon *monitor) sandboxHeld(p *infra.Process) error {
	if err := writeHosts(mon.pe.files["/etc/hosts"], mon.st, mon.pod); err != nil {
		return err
	}
	paths, err := mon.holdNamespaces(p)
	if err != nil {
		return err
	}
	trace("namespaces held")
	mon.pe.nsPaths, mon.st.NSPaths = paths, paths
	mon.podIP.set(mon.st.PodIP)
	mon.pe.hostIP = mon.st.HostIP
	mon.pe.cgroup = mon.st.Cgroup.Path
	return nil
}

// failBoot undoes a boot that went wrong, before `up` hears about it, so
// that a failed `up` leaves nothing behind by the time it returns.
func (mon *monitor) failBoot(name string) {
	if mon.st == nil {
		mon.st = &state.Pod{Name: name}
	}
	if p := mon.st.Pause; p.PID != 0 {
		_ = p.Signal(unix.SIGKILL)
		teardown.WaitExit(p, teardown.PauseGrace)
	}
	mon.teardown()
}

func (mon *monitor) kickReaper() {
	select {
	case mon.kick <- struct{}{}:
	default:
	}
}

// save writes state.json; a failure is logged, not fatal: the pod keeps
// running and the next change writes it again.
func (mon *monitor) save() {
	if err := mon.write(); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
}

// write writes state.json unless it already holds the record: the loop
// saves after every event and many leave the record as it was (each write
// is a temporary file, a rename and five more system calls). The monitor
// is the record's only writer while it lives. The binding file follows
// the record (writeBinding).
func (mon *monitor) write() error {
	// The record is encoded into the buffer of the one before last, so
	// that an event that changed nothing allocates nothing.
	data, err := state.AppendEncoded(mon.spare[:0], mon.st)
	if err != nil {
		return err
	}
	mon.spare = data
	if bytes.Equal(data, mon.saved) && !mon.bindingBehind {
		return nil
	}
	return mon.writeBinding(func() error {
		if bytes.Equal(data, mon.saved) {
			return nil
		}
		if err := roots.SaveEncoded(mon.st.Name, data); err != nil {
			return err
		}
		mon.spare, mon.saved = mon.saved, data
		return nil
	})
}

// writeBinding runs save (the record's write) with the pod's binding file
// (state.BindingFile) kept from ever saying what the record does not: a
// binding that changes is removed before save and written after it, so
// that whatever stops the new one (a failed write, the monitor's death)
// leaves no file, and readers read the record. A file that says a
// finished pod still holds its share of the node would keep others
// Pending until its `down`. bindingBehind is set until the file holds the
// record's binding.
func (mon *monitor) writeBinding(save func() error) error {
	bind, err := state.AppendBinding(nil, state.BindingOf(mon.st))
	if err != nil {
		return err
	}
	mon.bindingBehind = true
	if !bytes.Equal(bind, mon.binding) {
		if err := roots.RemoveBinding(mon.st.Name); err != nil {
			return err
		}
		mon.binding = nil
	}
	if err := save(); err != nil {
		return err
	}
	if mon.binding == nil {
		if err := roots.SaveBinding(mon.st.Name, bind); err != nil {
			return err
		}
		mon.binding = bind
	}
	mon.bindingBehind = false
	return nil
}

// adoptLock takes over the pod's lock from `up` (fd 4, the same open file,
// so the flock is ours without a gap), after checking that it is that
// pod's lock file; with none handed over, it takes the lock itself.
func adoptLock(name string) (*os.File, error) {
	unix.CloseOnExec(lockFd) // never into pause or a container
	var fdSt, pathSt unix.Stat_t
	if unix.Fstat(lockFd, &fdSt) != nil {
		return roots.Lock(name)
	}
	if err := unix.Stat(roots.LockFile(name), &pathSt); err != nil {
		return nil, fmt.Errorf("lock of %s: %w", name, err)
	}
	if fdSt.Dev != pathSt.Dev || fdSt.Ino != pathSt.Ino {
		return nil, fmt.Errorf("lock of %s: the file handed over is not the pod's lock", name)
	}
	return os.NewFile(lockFd, roots.LockFile(name)), nil
}

// usesResourceFieldRef reports whether a container's env reads resources.
func usesResourceFieldRef(p *podspec.Pod) bool {
	for _, c := range p.Spec.AllContainers() {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil {
				return true
			}
		}
	}
	return false
}
