// Package podspec turns manifest bytes into validated, defaulted Pods and
// ConfigMaps.
//
// The types are minipod's own, shaped like Kubernetes v1 (same json names), so
// that `get -o json` output and error paths read like kubectl's, without
// linking k8s.io/api into a binary that every container re-executes. The tests
// import k8s.io/api to prove the two schemas agree.
//
// Every Kubernetes field is classified by a `minipod` struct tag:
//
//	(no tag)        implemented
//	warn            accepted, warning "accepted but ignored on one node"
//	drop            accepted, warning "ignored on input", not decoded
//	reject          "<path>: not supported" when set to a non-zero value
//	                (a why:"..." tag adds the reason: "not supported: <why>")
//	reject,emptyok  as reject, but an empty {} or [] counts as unset
//	yet             "<path>: not supported yet" (planned)
//	quantity        a resource.Quantity: a string or a number, kept as a string
//
// Decoding is strict (unknown fields, duplicate keys and wrong types are
// errors naming the field path), defaults follow
// kubernetes/pkg/apis/core/v1/defaults.go, and validation is a list of small
// named checks.
//
// Validation is the API server's (Kubernetes 1.37, default feature gates)
// and, where the kubelet refuses a pod at admission (sysctls), the
// kubelet's; ParseWith takes the node settings that change the latter.
//
// # Resources
//
// Requests and limits of containers (init containers too) and of the pod
// (spec.resources) are decoded as written and defaulted and validated as
// Kubernetes does. For the runtime, quantities come parsed
// (ResourceAmounts: cpu in millicores, everything else in bytes or units):
//
//	(*Container).Requests, (*Container).Limits  one container's
//	(*Pod).EffectiveRequests, EffectiveLimits   the pod's: max(largest init
//	                                            container, sum of app
//	                                            containers), or pod-level
//	(*Pod).CgroupLimits                         what the pod cgroup enforces
//	(*Pod).QOSClass                             Guaranteed/Burstable/BestEffort
//	HugePageSize                                page size of hugepages-<size>
//
// # Security
//
// EffectiveSecurity merges the pod's and a container's securityContext as
// the kubelet does; Security.CapabilitySet applies capabilities.add/drop
// to the runtime's default set as containerd does, and
// Security.VerifyRunAsNonRoot is the kubelet's runAsNonRoot check against
// the image's user. Sysctls are admitted against a SysctlAllowlist (the
// kubelet's safe set, plus a node's unsafe patterns). What this node
// cannot apply is refused by name: SELinux options, AppArmor Localhost
// profiles, capabilities Linux does not have.
//
// Input is bounded as the API server bounds it: Read takes at most 3 MiB,
// and Parse refuses a document that would be more than 3 MiB of JSON once
// its YAML aliases are expanded, measuring it without expanding it
// (measure.go), so a small file cannot make a large decode.
package podspec
