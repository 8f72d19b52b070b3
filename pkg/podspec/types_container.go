package podspec

import "encoding/json"

// Container lists every v1 Container field; see the package doc for the tags.
type Container struct {
	Name                     string                `json:"name"`
	Image                    string                `json:"image,omitempty"`
	Command                  []string              `json:"command,omitempty"`
	Args                     []string              `json:"args,omitempty"`
	WorkingDir               string                `json:"workingDir,omitempty"`
	Ports                    []ContainerPort       `json:"ports,omitempty"`
	EnvFrom                  []EnvFromSource       `json:"envFrom,omitempty"`
	Env                      []EnvVar              `json:"env,omitempty"`
	Resources                *ResourceRequirements `json:"resources,omitempty"`
	VolumeMounts             []VolumeMount         `json:"volumeMounts,omitempty"`
	TerminationMessagePath   string                `json:"terminationMessagePath,omitempty"`
	TerminationMessagePolicy string                `json:"terminationMessagePolicy,omitempty"`
	ImagePullPolicy          string                `json:"imagePullPolicy,omitempty"`
	SecurityContext          *SecurityContext      `json:"securityContext,omitempty"`

	ResizePolicy       []ContainerResizePolicy `json:"resizePolicy,omitempty" minipod:"warn"`
	RestartPolicy      *string                 `json:"restartPolicy,omitempty"`
	RestartPolicyRules []ContainerRestartRule  `json:"restartPolicyRules,omitempty"`
	VolumeDevices      json.RawMessage         `json:"volumeDevices,omitempty" minipod:"reject,emptyok"`
	LivenessProbe      *Probe                  `json:"livenessProbe,omitempty"`
	ReadinessProbe     *Probe                  `json:"readinessProbe,omitempty"`
	StartupProbe       *Probe                  `json:"startupProbe,omitempty"`
	Lifecycle          *Lifecycle              `json:"lifecycle,omitempty"`
	Stdin              bool                    `json:"stdin,omitempty"`
	StdinOnce          bool                    `json:"stdinOnce,omitempty"`
	TTY                bool                    `json:"tty,omitempty"`
}

// ContainerResizePolicy says what an in-place resize of one resource does to
// the container. minipod never resizes a running pod, so the policy is
// validated as the API server validates it and then has nothing to act on.
type ContainerResizePolicy struct {
	ResourceName  string `json:"resourceName"`
	RestartPolicy string `json:"restartPolicy"`
}

// ContainerRestartRule overrides the container's restartPolicy for the
// exits it matches (Kubernetes' container restart rules, beta and on by
// default since v1.35).
type ContainerRestartRule struct {
	Action    string                           `json:"action"`
	ExitCodes *ContainerRestartRuleOnExitCodes `json:"exitCodes,omitempty"`
}

// ContainerRestartRuleOnExitCodes matches an exit code that is (In) or is
// not (NotIn) one of Values.
type ContainerRestartRuleOnExitCodes struct {
	Operator string  `json:"operator"`
	Values   []int32 `json:"values,omitempty"`
}

// ContainerPort is informational; hostPort publishes it on the node.
type ContainerPort struct {
	Name          string `json:"name,omitempty"`
	HostPort      int32  `json:"hostPort,omitempty"`
	ContainerPort int32  `json:"containerPort"`
	Protocol      string `json:"protocol,omitempty"`
	HostIP        string `json:"hostIP,omitempty"`
}

// EnvVar is one variable: a literal (with $(VAR) expansion) or a reference.
type EnvVar struct {
	Name      string        `json:"name"`
	Value     string        `json:"value,omitempty"`
	ValueFrom *EnvVarSource `json:"valueFrom,omitempty"`
}

// EnvVarSource selects where a variable's value comes from.
type EnvVarSource struct {
	FieldRef         *ObjectFieldSelector   `json:"fieldRef,omitempty"`
	ConfigMapKeyRef  *ConfigMapKeySelector  `json:"configMapKeyRef,omitempty"`
	ResourceFieldRef *ResourceFieldSelector `json:"resourceFieldRef,omitempty"`
	SecretKeyRef     *SecretKeySelector     `json:"secretKeyRef,omitempty"`
	FileKeyRef       *FileKeySelector       `json:"fileKeyRef,omitempty"`
}

// FileKeySelector names a variable of an env file that a container (an
// init container, usually) wrote in one of the pod's emptyDir volumes.
type FileKeySelector struct {
	VolumeName string `json:"volumeName"`
	Path       string `json:"path"`
	Key        string `json:"key"`
	Optional   *bool  `json:"optional,omitempty"`
}

// ResourceFieldSelector is the downward API's view of a container's
// resources: limits.cpu, requests.memory, ... in units of divisor.
type ResourceFieldSelector struct {
	ContainerName string `json:"containerName,omitempty"`
	Resource      string `json:"resource"`
	Divisor       string `json:"divisor,omitempty" minipod:"quantity"`
}

// ObjectFieldSelector is the downward API for env (fieldRef).
type ObjectFieldSelector struct {
	APIVersion string `json:"apiVersion,omitempty"`
	FieldPath  string `json:"fieldPath"`
}

// ConfigMapKeySelector picks one key of a ConfigMap.
type ConfigMapKeySelector struct {
	Name     string `json:"name,omitempty"`
	Key      string `json:"key"`
	Optional *bool  `json:"optional,omitempty"`
}

// EnvFromSource imports every key of a ConfigMap or Secret as variables.
type EnvFromSource struct {
	Prefix       string              `json:"prefix,omitempty"`
	ConfigMapRef *ConfigMapEnvSource `json:"configMapRef,omitempty"`
	SecretRef    *SecretEnvSource    `json:"secretRef,omitempty"`
}

// ConfigMapEnvSource names the ConfigMap for envFrom.
type ConfigMapEnvSource struct {
	Name     string `json:"name,omitempty"`
	Optional *bool  `json:"optional,omitempty"`
}

// VolumeMount mounts a pod volume (or a subPath of it) into the container.
type VolumeMount struct {
	Name              string          `json:"name"`
	ReadOnly          bool            `json:"readOnly,omitempty"`
	MountPath         string          `json:"mountPath"`
	SubPath           string          `json:"subPath,omitempty"`
	MountPropagation  *string         `json:"mountPropagation,omitempty"`
	RecursiveReadOnly *string         `json:"recursiveReadOnly,omitempty"`
	SubPathExpr       string          `json:"subPathExpr,omitempty"`
	BindMountOptions  json.RawMessage `json:"bindMountOptions,omitempty" minipod:"reject,emptyok"`
}

// ResourceRequirements is a container's (or, as spec.resources, the pod's)
// requests and limits: resource name -> quantity, kept as written. The
// parsed values come from Container.Requests, Container.Limits and the Pod
// helpers in resources_pod.go. Claims need dynamic resource allocation.
type ResourceRequirements struct {
	Limits   map[string]string `json:"limits,omitempty" minipod:"quantity"`
	Requests map[string]string `json:"requests,omitempty" minipod:"quantity"`
	Claims   json.RawMessage   `json:"claims,omitempty" minipod:"reject,emptyok"`
}

// IsSidecar reports whether c, an init container, is a native sidecar
// (restartPolicy: Always): it keeps running beside the app containers
// instead of running to completion before them. Ask it of init containers
// only: an app container's own Always is a restart policy, no sidecar.
func (c *Container) IsSidecar() bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == "Always"
}
