package state

import (
	"slices"
	"time"
)

// Pod is what state.json holds: everything `get`, `describe`, `exec`, `logs`
// and `down` need, written by the monitor after every change.
type Pod struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	UID       string `json:"uid"`
	Hostname  string `json:"hostname"`
	// PodIP is the pod's address on the node's pod network (the node's own
	// address with hostNetwork); HostIP is the node's address.
	PodIP       string    `json:"podIP,omitempty"`
	HostIP      string    `json:"hostIP,omitempty"`
	HostNetwork bool      `json:"hostNetwork,omitempty"`
	Created     time.Time `json:"created"`
	StartTime   time.Time `json:"startTime,omitempty"`

	Monitor Proc `json:"monitor"`
	Pause   Proc `json:"pause"`
	// Cgroup is the pod's cgroup, recorded before it is created so that
	// `down` removes it even when the monitor died.
	Cgroup Cgroup `json:"cgroup,omitempty"`

	// Images are the manifest digests of the OCI images the pod's
	// containers and image volumes were started from: their layers are
	// in use (mounted) even once their tag points elsewhere, and prune
	// keeps them.
	Images []string `json:"images,omitempty"`

	// UserNS is the range of host ids the pod's user namespace maps from
	// 0 (hostUsers: false), given when it is bound to the node.
	UserNS *IDRange `json:"userNamespace,omitempty"`

	Phase Phase `json:"phase"`
	// QOSClass is the pod's QoS class (Guaranteed, Burstable, BestEffort).
	QOSClass string `json:"qosClass,omitempty"`
	Reason   Reason `json:"reason,omitempty"`
	Message  string `json:"message,omitempty"`
	// Initialized turns true once every init container has succeeded.
	Initialized bool `json:"initialized"`
	// Terminating is set when `down` asked the monitor to stop the pod.
	Terminating bool `json:"terminating,omitempty"`
	// Finished is set when the monitor has stopped every process of the pod
	// and exited; only files remain.
	Finished bool `json:"finished,omitempty"`
	// Bound is set once the pod fits on the node; Requests are then what
	// it holds of the node's allocatable resources (the pod's effective
	// requests, and "pods": 1). Unschedulable is why it does not fit yet.
	// NodeName is the node it was bound to, as its spec.nodeName says.
	// SchedulingGated: its spec.schedulingGates hold it back (Unschedulable
	// says so); nothing lifts them on one node but a new pod without.
	Bound           bool             `json:"bound,omitempty"`
	SchedulingGated bool             `json:"schedulingGated,omitempty"`
	NodeName        string           `json:"nodeName,omitempty"`
	Requests        map[string]int64 `json:"requests,omitempty"`
	Unschedulable   string           `json:"unschedulable,omitempty"`

	InitContainers []Container `json:"initContainers,omitempty"`
	Containers     []Container `json:"containers"`
	Events         []Event     `json:"events,omitempty"`
	// Namespaces holds the inode of each pod-level namespace (pause's).
	Namespaces map[string]uint64 `json:"namespaces,omitempty"`
	// NSPaths is where each shared namespace of the pod is held, to be
	// opened by kind: pause's /proc/PID/ns links while pause lives (a
	// shared PID namespace), else the monitor's /proc/PID/fd links. Check
	// what is opened against Namespaces: the PID may be another's now.
	NSPaths map[string]string `json:"nsPaths,omitempty"`

	// Labels and Ports are what Services select pods by and send to
	// (a named targetPort): kept here so that following endpoints reads
	// one small file per pod.
	Labels map[string]string `json:"labels,omitempty"`
	Ports  []Port            `json:"ports,omitempty"`
}

// Port is a container port of the pod.
type Port struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

// Cgroup says where a pod's cgroup is: its path below the hierarchy root,
// and which hierarchy (cgroup v1 controllers, or the v2 tree mounted at
// Mount).
type Cgroup struct {
	Path  string `json:"path,omitempty"`
	V2    bool   `json:"v2,omitempty"`
	Mount string `json:"mount,omitempty"`
}

// Proc identifies a process across PID reuse.
type Proc struct {
	PID   int    `json:"pid,omitempty"`
	Start uint64 `json:"start,omitempty"` // field 22 of /proc/PID/stat
}

// Container is one container's current and previous state.
type Container struct {
	Name string `json:"name"`
	// Sidecar marks an init container with restartPolicy: Always.
	Sidecar bool           `json:"sidecar,omitempty"`
	Image   string         `json:"image"`
	State   ContainerState `json:"state"`
	Reason  Reason         `json:"reason,omitempty"`
	Message string         `json:"message,omitempty"`
	// ImageVolume is the name of the image volume whose pull holds the
	// waiting container back (Reason is the pull's), "" otherwise.
	ImageVolume  string    `json:"imageVolume,omitempty"`
	ExitCode     int       `json:"exitCode"`
	Signal       int       `json:"signal,omitempty"`
	StartedAt    time.Time `json:"startedAt,omitempty"`
	FinishedAt   time.Time `json:"finishedAt,omitempty"`
	RestartCount int       `json:"restartCount"`
	Ready        bool      `json:"ready"`
	// StartupProbing is set while a startup probe has not passed: the
	// instance runs but is not started yet.
	StartupProbing bool        `json:"startupProbing,omitempty"`
	Started        bool        `json:"started"`
	Proc           Proc        `json:"proc"`
	Last           *Terminated `json:"lastState,omitempty"`
	// Namespaces holds the inode of each namespace of the running process.
	Namespaces map[string]uint64 `json:"namespaces,omitempty"`
	// Requests and Limits are the container's resources as the manifest
	// (defaulted) gives them, for `describe`.
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
	// User is the identity the running instance was started with.
	User *User `json:"user,omitempty"`
	// StopSignal is the signal that stops it (spec, image, or SIGTERM).
	StopSignal string `json:"stopSignal,omitempty"`
}

// User is a container process's uid, gid and supplementary groups (its
// gid among them), as status.containerStatuses[].user.linux reports them.
type User struct {
	UID    int64   `json:"uid"`
	GID    int64   `json:"gid"`
	Groups []int64 `json:"supplementalGroups,omitempty"`
}

// Terminated describes a finished container instance.
type Terminated struct {
	ExitCode   int       `json:"exitCode"`
	Signal     int       `json:"signal,omitempty"`
	Reason     Reason    `json:"reason,omitempty"`
	Message    string    `json:"message,omitempty"`
	StartedAt  time.Time `json:"startedAt,omitempty"`
	FinishedAt time.Time `json:"finishedAt,omitempty"`
}

// Event is one line of `describe`'s Events table.
type Event struct {
	Time    time.Time `json:"time"`
	Type    string    `json:"type"` // Normal or Warning
	Reason  string    `json:"reason"`
	Object  string    `json:"object,omitempty"`
	Message string    `json:"message"`
}

// maxEvents bounds state.json: a crash-looping container must not grow it.
const maxEvents = 64

// UseImage records an image the pod runs from (Images); a directory
// image (no manifest digest) needs no record.
func (p *Pod) UseImage(manifest string) {
	if manifest != "" && !slices.Contains(p.Images, manifest) {
		p.Images = append(p.Images, manifest)
	}
}

// AddEvent appends an event, dropping the oldest beyond maxEvents.
func (p *Pod) AddEvent(typ, reason, object, msg string) {
	p.Events = append(p.Events, Event{Time: time.Now().UTC(), Type: typ, Reason: reason, Object: object, Message: msg})
	if n := len(p.Events); n > maxEvents {
		p.Events = append(p.Events[:0:0], p.Events[n-maxEvents:]...)
	}
}

// All lists every container, init containers first, as they run.
func (p *Pod) All() []*Container {
	out := make([]*Container, 0, len(p.InitContainers)+len(p.Containers))
	for i := range p.InitContainers {
		out = append(out, &p.InitContainers[i])
	}
	for i := range p.Containers {
		out = append(out, &p.Containers[i])
	}
	return out
}

// Find returns the container (init or app) with the given name.
func (p *Pod) Find(name string) (*Container, bool) {
	for _, c := range p.All() {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// IDRange is a range of host uids, and the same gids, that a pod's user
// namespace maps from 0.
type IDRange struct {
	HostID uint32 `json:"hostID"`
	Size   uint32 `json:"size"`
}
