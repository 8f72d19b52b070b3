package state

import (
	"os"
	"path/filepath"
)

// Roots are the three trees minipod writes to. Tests may point them elsewhere.
type Roots struct {
	Run    string // volatile: /run/minipod
	Data   string // persistent data: /var/lib/minipod
	Logs   string // container logs: /var/log/pods (kubelet's layout)
	Images string // local image store: /var/lib/minipod/images
}

// DefaultRoots returns the standard locations, overridable through
// MINIPOD_RUN_DIR, MINIPOD_DATA_DIR, MINIPOD_LOG_DIR and MINIPOD_IMAGES so a
// test can run against a private tree.
func DefaultRoots() Roots {
	data := env("MINIPOD_DATA_DIR", "/var/lib/minipod")
	return Roots{
		Run:    env("MINIPOD_RUN_DIR", "/run/minipod"),
		Data:   data,
		Logs:   env("MINIPOD_LOG_DIR", "/var/log/pods"),
		Images: env("MINIPOD_IMAGES", filepath.Join(data, "images")),
	}
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// PodRun is the pod's volatile directory: lock, state.json, pod.yaml, bundles.
func (r Roots) PodRun(pod string) string { return filepath.Join(r.Run, pod) }

// PodData is the pod's data directory: volumes and writable container layers.
// Pods live under pods/ so that a pod name can never collide with images/.
func (r Roots) PodData(pod string) string { return filepath.Join(r.Data, "pods", pod) }

// Bundle is the OCI bundle directory of one container.
func (r Roots) Bundle(pod, container string) string {
	return filepath.Join(r.PodRun(pod), "containers", container)
}

// StateFile is the pod's state.json.
func (r Roots) StateFile(pod string) string { return filepath.Join(r.PodRun(pod), "state.json") }

// LockFile is the file the monitor holds an exclusive flock on while it lives.
func (r Roots) LockFile(pod string) string { return filepath.Join(r.PodRun(pod), "lock") }

// Manifest is the copy of the pod's manifest the monitor runs from.
func (r Roots) Manifest(pod string) string { return filepath.Join(r.PodRun(pod), "pod.yaml") }

// MonitorLog is where the pod's monitor writes what it has to say.
func (r Roots) MonitorLog(pod string) string { return filepath.Join(r.PodRun(pod), "monitor.log") }

// ExecSocket is the name, in the pod's run directory, of the socket on
// which its monitor takes exec requests (opened through the directory).
const ExecSocket = "exec.sock"

// GraceFile holds a `down --grace-period` override, in seconds.
func (r Roots) GraceFile(pod string) string { return filepath.Join(r.PodRun(pod), "grace-period") }

// Shm is the mount point of the pod's /dev/shm tmpfs.
func (r Roots) Shm(pod string) string { return filepath.Join(r.PodRun(pod), "shm") }

// EtcFile is the pod's copy of /etc/hosts, /etc/hostname or
// /etc/resolv.conf (name is hosts, hostname or resolv.conf), bound into
// every container; on disk, where a container filling it fills the pod's
// disk, not the host's /run.
func (r Roots) EtcFile(pod, name string) string {
	return filepath.Join(r.PodData(pod), "etc-"+name)
}

// Volumes is the directory of the pod's volumes, one directory each.
func (r Roots) Volumes(pod string) string { return filepath.Join(r.PodData(pod), "volumes") }

// Layer holds a container's writable layer (upper/ and work/).
func (r Roots) Layer(pod, container string) string {
	return filepath.Join(r.PodData(pod), "containers", container)
}

// Seccomp is the directory of Localhost seccomp profiles.
func (r Roots) Seccomp() string { return filepath.Join(r.Data, "seccomp") }
