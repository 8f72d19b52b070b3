package podspec

import (
	"encoding/json"
	"strconv"
)

// Probe is a liveness, readiness or startup check the runtime runs
// against a container: one handler (exec, httpGet, tcpSocket) and its
// timing.
type Probe struct {
	Exec                          *ExecAction      `json:"exec,omitempty"`
	HTTPGet                       *HTTPGetAction   `json:"httpGet,omitempty"`
	TCPSocket                     *TCPSocketAction `json:"tcpSocket,omitempty"`
	GRPC                          *GRPCAction      `json:"grpc,omitempty"`
	InitialDelaySeconds           int32            `json:"initialDelaySeconds,omitempty"`
	TimeoutSeconds                int32            `json:"timeoutSeconds,omitempty"`
	PeriodSeconds                 int32            `json:"periodSeconds,omitempty"`
	SuccessThreshold              int32            `json:"successThreshold,omitempty"`
	FailureThreshold              int32            `json:"failureThreshold,omitempty"`
	TerminationGracePeriodSeconds *int64           `json:"terminationGracePeriodSeconds,omitempty"`
}

// ExecAction runs a command in the container; exit 0 is success.
type ExecAction struct {
	Command []string `json:"command,omitempty"`
}

// HTTPGetAction is a GET whose status 200-399 is success.
type HTTPGetAction struct {
	Path        string       `json:"path,omitempty"`
	Port        IntOrString  `json:"port"`
	Host        string       `json:"host,omitempty"`
	Scheme      string       `json:"scheme,omitempty"`
	HTTPHeaders []HTTPHeader `json:"httpHeaders,omitempty"`
	// Protocol (HTTP/2 probes) is alpha behind a feature gate.
	Protocol json.RawMessage `json:"protocol,omitempty" minipod:"reject"`
}

// GRPCAction calls the gRPC health service (grpc.health.v1.Health/Check)
// on the pod's address; SERVING is success. Service "" asks about the
// server as a whole.
type GRPCAction struct {
	Port    int32   `json:"port"`
	Service *string `json:"service,omitempty"`
	// Mode is Plaintext (the default) or TLS, without certificate checks.
	Mode *string `json:"mode,omitempty"`
}

// HTTPHeader is one request header of an httpGet probe.
type HTTPHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// TCPSocketAction succeeds when a TCP connection opens.
type TCPSocketAction struct {
	Port IntOrString `json:"port"`
	Host string      `json:"host,omitempty"`
}

// IntOrString is a port given as a number or as the name of a container
// port, as Kubernetes' intstr.IntOrString.
type IntOrString struct {
	IsString bool
	Int      int32
	Str      string
}

// UnmarshalJSON takes a number or a string.
func (p *IntOrString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		p.IsString = true
		return json.Unmarshal(b, &p.Str)
	}
	return json.Unmarshal(b, &p.Int)
}

// MarshalJSON writes it back as it was given.
func (p IntOrString) MarshalJSON() ([]byte, error) {
	if p.IsString {
		return json.Marshal(p.Str)
	}
	return json.Marshal(p.Int)
}

// String is the number or the name.
func (p IntOrString) String() string {
	if p.IsString {
		return p.Str
	}
	return strconv.Itoa(int(p.Int))
}
