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
