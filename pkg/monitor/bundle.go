package monitor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/leanjson"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/seccomp"
	"github.com/minipod/minipod/pkg/specconv"
	"github.com/minipod/minipod/pkg/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ctr is the monitor's view of one container of the pod.
type ctr struct {
	spec *podspec.Container
	init bool
	// execPlace places exec'd commands in the container's cgroup.
	execPlace execPlace
	// sidecar: an init container with restartPolicy Always; up once it
	// has started (running, postStart done, startup probe passed) at least
	// once, which lets the init containers after it go.
	sidecar, up bool
	// stopSent is the instance a stop (preStop, SIGTERM) was sent to.
	stopSent int
	// rerun: it ran in a sandbox that died; its next start counts as a
	// restart (sandbox.go). doneForGood: an app container that had ended
	// and would not be restarted when the sandbox died: a new sandbox
	// does not run it again.
	rerun, doneForGood bool
	// spawnInit: this start's init spawns the command (spawnsInit),
	// decided on the loop as the start begins.
	spawnInit bool
	// mayTrace: its processes may hold CAP_SYS_PTRACE (plannedMayTrace),
	// known from the manifest before any start.
	mayTrace bool
	// probeKill: the instance was stopped for a failed liveness or
	// startup probe, and probeRestart whether that restarts it whatever
	// its exit code (killForProbe).
	probeKill, probeRestart bool

	st     *state.Container // points into the pod's state record
	bundle string
	layer  string // holds upper/ and work/, recreated for every instance
	pid    int
	// step is what the monitor does with it next (lifecycle.go); retry
	// is what its timer does, while it waits.
	step  step
	retry retryKind
	// instance counts starts; probes holds the running instance's probes.
	instance int
	probes   *probing
	// hooking: its postStart hook runs; it is not running yet.
	hooking bool

	// kubelet-style crash-loop back-off
	delay       time.Duration
	lastBackoff time.Time
	timer       *time.Timer

	// cgroup is the container's cgroup, created before its first start
	// and kept for its restarts; made is its creation begun with the
	// pod's start (makeContainerCgroups)
	cgroup cgroups.Dirs
	made   *madeCgroup
	// exec is what execs into the current instance need (execserve.go)
	exec *execCache
	// logsDone is closed once the instance's output is all in its log.
	logsDone <-chan struct{}
	// io is the instance's stdin and attach sessions (ctrio.go).
	io *ctrIO
	// oomBefore is the cgroup's OOM kill count when the instance started;
	// -1 when the cgroup does not count them.
	oomBefore int64

	// the image, resolved (and pulled if the policy says so) before a start
	img      *image.Image
	imgDelay time.Duration // image pull back-off
	// missingObject says which ConfigMap, Secret or key the container's
	// environment waits for ("" once it has it)
	missingObject string
}

// podEnv is what every container's environment and spec need from the pod.
type podEnv struct {
	objs     podspec.Objects
	pod      *podspec.Pod
	hostname string
	volumes  map[string]specconv.Volume
	files    map[string]string
	nsPaths  map[string]string
	// userNS is the pod's host ids (hostUsers: false), else nil.
	userNS *state.IDRange
	cgroup string // the pod's cgroup path
	driver cgroups.Driver
	// nodeMemory is the node's memory, for the OOM score of Burstable pods.
	nodeMemory int64
	// allocatable is the node's, for the downward API's limits not set.
	allocatable podspec.ResourceAmounts
	podIP       *address // set when the network is attached (startPod)
	hostIP      string
	// apiServerIP is Service default/kubernetes's address (its variables).
	apiServerIP string
	// filters are the pod's RuntimeDefault seccomp programs.
	filters *filters
}

// makeBundle resolves the container's image, environment and command, and
// writes its OCI bundle (config.json plus an empty rootfs mount point):
// the one description of how its processes run, for init and exec.
func makeBundle(pe podEnv, c *ctr) (*specs.Spec, *seccomp.Program, error) {
	img := c.img
	env, declared, err := containerEnv(pe, c.spec, img)
	var me *podspec.MissingError
	if errors.As(err, &me) {
		// The kubelet's words: `secret "x" not found`.
		return nil, nil, &ConfigError{Msg: me.Msg, err: err}
	}
	if err != nil {
		// The kubelet fails to make the environment: the container waits
		// in CreateContainerConfigError (an env file that is not one).
		return nil, nil, &ConfigError{Msg: err.Error(), err: err} // it names the container
	}
	spec0, err := expandSubPaths(c.spec, declared)
	if err != nil {
		return nil, nil, &ConfigError{Msg: err.Error(), err: err}
	}
	if err := checkSubPaths(pe, spec0); err != nil {
		return nil, nil, err
	}
	args, err := podspec.ResolveArgs(img.Config.Entrypoint, img.Config.Cmd, c.spec.Command, c.spec.Args, declared)
	if err != nil {
		return nil, nil, &ConfigError{Msg: fmt.Sprintf("container %s: %v", c.spec.Name, err), err: err}
	}
	cwd := c.spec.WorkingDir
	if cwd == "" {
		cwd = img.Config.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}
	sec, err := containerSecurity(pe, c.spec, img)
	if err != nil {
		return nil, nil, err
	}
	cg, err := cgroups.Child(pe.cgroup, c.spec.Name)
	if err != nil {
		return nil, nil, err
	}
	res, err := pe.containerResources(c.spec)
	if err != nil {
		return nil, nil, err
	}
	var hostDevs []specs.LinuxDevice
	if sec.Privileged {
		hostDevs = hostDevices()
	}
	spec, err := specconv.Spec(spec0, specconv.Context{
		Security: sec, Resources: res, HostDevices: hostDevs, HostPID: pe.pod.Spec.HostPID,
		Bundle: c.bundle, Lowers: lowers(img),
		Upper: filepath.Join(c.layer, "upper"), Work: filepath.Join(c.layer, "work"),
		Env:  env,
		Args: args,
		Cwd:  cwd, Hostname: pe.hostname,
		Volumes: pe.volumes, PodFiles: pe.files, PodNS: pe.nsPaths, UserNS: idMapping(pe.userNS),
		CgroupsPath:    cg,
		TerminationLog: terminationLog(c.layer),
	})
	if err != nil {
		return nil, nil, err
	}
	filter, err := containerFilter(pe, c.spec, spec)
	if err != nil {
		// Where containerd loads the profile: its CreateContainer fails.
		return nil, nil, &ConfigError{Msg: fmt.Sprintf("container %s: %v", c.spec.Name, err), err: err, why: state.ReasonCreateContainerError}
	}
	announceFilter(spec, filter)
	return spec, filter, writeBundle(c.bundle, spec, filter)
}

// expandSubPaths is c with each volumeMount's subPathExpr made its
// subPath from the container's declared environment (podspec.ExpandSubPath);
// c itself where none has one.
func expandSubPaths(c *podspec.Container, declared []string) (*podspec.Container, error) {
	var out *podspec.Container
	for i, vm := range c.VolumeMounts {
		if vm.SubPathExpr == "" {
			continue
		}
		sub, err := podspec.ExpandSubPath(vm.SubPathExpr, declared)
		if err != nil {
			return nil, err
		}
		if out == nil {
			cp := *c
			cp.VolumeMounts = slices.Clone(c.VolumeMounts)
			out = &cp
		}
		out.VolumeMounts[i].SubPath, out.VolumeMounts[i].SubPathExpr = sub, ""
	}
	if out == nil {
		return c, nil
	}
	return out, nil
}

// containerEnv is HOSTNAME (as containerd sets it), then the image's env,
// then the pod's and the Services' there are now (a container started
// later sees those made meanwhile, as with the kubelet), with a default
// PATH if nobody set one. declared is the pod's and the Services' alone:
// all that $(VAR) in command and args may name, as with the kubelet,
// which never sees the image's env nor HOSTNAME.
func containerEnv(pe podEnv, c *podspec.Container, img *image.Image) (env, declared []string, err error) {
	src := podspec.EnvSources{PodIP: pe.podIP.get(), HostIP: pe.hostIP, APIServerIP: pe.apiServerIP, Allocatable: pe.allocatable, EnvFile: pe.readEnvFile}
	if declared, err = podspec.DeclaredEnv(pe.objs, pe.pod, c, src); err != nil {
		return nil, nil, err
	}
	base := append([]string{"HOSTNAME=" + pe.hostname}, img.Config.Env...)
	env = podspec.MergeImageEnv(base, declared)
	for _, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			return env, declared, nil
		}
	}
	return append(env, specconv.DefaultPath), declared, nil
}

// announceFilter makes the spec say that the container's seccomp program
// is in its bundle (see ctrinit.FilterFile), with ctrinit.Sentinel in
// place of a profile.
func announceFilter(spec *specs.Spec, filter *seccomp.Program) {
	if filter == nil {
		return
	}
	spec.Linux.Seccomp = ctrinit.Sentinel()
	if spec.Annotations == nil {
		spec.Annotations = map[string]string{}
	}
	spec.Annotations[ctrinit.FilterAnnotation] = ctrinit.FilterFile
}

// writeBundle writes the container's config.json, and its seccomp program
// beside it when it has one.
func writeBundle(bundle string, spec *specs.Spec, filter *seccomp.Program) error {
	if err := writeSpec(bundle, spec); err != nil {
		return err
	}
	if filter == nil {
		return nil
	}
	data, err := filter.MarshalBinary()
	if err != nil {
		return fmt.Errorf("encode seccomp program of %s: %w", bundle, err)
	}
	return state.WriteFile(filepath.Join(bundle, ctrinit.FilterFile), data, 0o600)
}

func writeSpec(bundle string, spec any) error {
	if err := os.MkdirAll(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		return fmt.Errorf("create bundle %s: %w", bundle, err)
	}
	data, err := leanjson.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encode config of %s: %w", bundle, err)
	}
	return state.WriteFile(filepath.Join(bundle, "config.json"), data, 0o600)
}

// freshLayer empties the container's writable layer: every instance of a
// container starts from the image, as a restarted Kubernetes container does.
func freshLayer(layer string) error {
	if err := os.RemoveAll(layer); err != nil {
		return fmt.Errorf("reset writable layer: %w", err)
	}
	for _, d := range []string{"upper", "work"} {
		if err := os.MkdirAll(filepath.Join(layer, d), 0o755); err != nil {
			return fmt.Errorf("create writable layer: %w", err)
		}
	}
	// World-writable, as the kubelet makes it: the container's user may be
	// anyone. It lives with the instance's layer and goes with it.
	f, err := os.OpenFile(terminationLog(layer), os.O_CREATE|os.O_EXCL|os.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o666)
	if err != nil {
		return fmt.Errorf("create termination log: %w", err)
	}
	f.Close()
	return os.Chmod(terminationLog(layer), 0o666) // past the umask
}

// terminationLog is the host side of an instance's terminationMessagePath.
func terminationLog(layer string) string { return filepath.Join(layer, "termination-log") }

// lowers are the image's layer directories, lowest first.
func lowers(img *image.Image) []string {
	if len(img.Layers) > 0 {
		return img.Layers
	}
	return []string{img.RootFS}
}
