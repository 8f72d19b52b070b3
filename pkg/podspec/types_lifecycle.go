package podspec

import "encoding/json"

// Lifecycle holds a container's hooks: postStart runs once it has started
// (the next container waits for it), preStop before it is stopped; and
// the signal that stops it (instead of the image's, or SIGTERM), which
// needs spec.os.name.
type Lifecycle struct {
	PostStart  *LifecycleHandler `json:"postStart,omitempty"`
	PreStop    *LifecycleHandler `json:"preStop,omitempty"`
	StopSignal *string           `json:"stopSignal,omitempty"`
}

// LifecycleHandler is one hook: exec, httpGet or sleep. tcpSocket is kept
// in the API for old manifests only: hooks with it fail on every node.
type LifecycleHandler struct {
	Exec      *ExecAction     `json:"exec,omitempty"`
	HTTPGet   *HTTPGetAction  `json:"httpGet,omitempty"`
	TCPSocket json.RawMessage `json:"tcpSocket,omitempty" minipod:"reject" why:"a lifecycle hook cannot use tcpSocket (kept in the API for old manifests; it fails on every node)"`
	Sleep     *SleepAction    `json:"sleep,omitempty"`
}

// SleepAction waits: a preStop sleep lets load balancers let go.
type SleepAction struct {
	Seconds int64 `json:"seconds"`
}
