package state

// Phase is a pod's status.phase.
type Phase string

// The pod phases, as Kubernetes names them.
const (
	PhasePending   Phase = "Pending"
	PhaseRunning   Phase = "Running"
	PhaseSucceeded Phase = "Succeeded"
	PhaseFailed    Phase = "Failed"
	PhaseUnknown   Phase = "Unknown"
)

// Done says whether the phase is terminal: no container will run again.
func (p Phase) Done() bool { return p == PhaseSucceeded || p == PhaseFailed }

// ContainerState is which of a container status's states is set.
type ContainerState string

// Container states, as Kubernetes names them.
const (
	StateWaiting    ContainerState = "waiting"
	StateRunning    ContainerState = "running"
	StateTerminated ContainerState = "terminated"
)

// Reason says why a pod or a container is in its state, in Kubernetes'
// words (the kubelet's, the scheduler's, the eviction manager's).
type Reason string

// The reasons minipod gives.
const (
	// A container waiting.
	ReasonContainerCreating          Reason = "ContainerCreating"
	ReasonPodInitializing            Reason = "PodInitializing"
	ReasonCrashLoopBackOff           Reason = "CrashLoopBackOff"
	ReasonErrImagePull               Reason = "ErrImagePull"
	ReasonImagePullBackOff           Reason = "ImagePullBackOff"
	ReasonErrImageNeverPull          Reason = "ErrImageNeverPull"
	ReasonInvalidImageName           Reason = "InvalidImageName"
	ReasonCreateContainerConfigError Reason = "CreateContainerConfigError"
	ReasonCreateContainerError       Reason = "CreateContainerError"
	// A container terminated.
	ReasonCompleted  Reason = "Completed"
	ReasonError      Reason = "Error"
	ReasonOOMKilled  Reason = "OOMKilled"
	ReasonStartError Reason = "StartError"
	// A pod.
	ReasonEvicted          Reason = "Evicted"
	ReasonDeadlineExceeded Reason = "DeadlineExceeded"
	ReasonSandboxExited    Reason = "SandboxExited"
	ReasonUnknown          Reason = "Unknown"
)
