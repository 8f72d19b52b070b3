package podspec

import "encoding/json"

// Service is a v1 Service: a stable virtual address (and node ports) in
// front of the ready pods its selector matches.
type Service struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata"`
	Spec       ServiceSpec     `json:"spec"`
	Status     json.RawMessage `json:"status,omitempty" minipod:"drop"`
}

// The Service types; ExternalName and LoadBalancer are refused on one node.
const (
	ServiceTypeClusterIP    = "ClusterIP"
	ServiceTypeNodePort     = "NodePort"
	ServiceTypeLoadBalancer = "LoadBalancer"
	ServiceTypeExternalName = "ExternalName"
	ClusterIPNone           = "None"
	// DefaultAffinityTimeout is the API server's ClientIP affinity default
	// (3 hours).
	DefaultAffinityTimeout = 10800
)

// ServiceSpec is what the Service asks of the node.
type ServiceSpec struct {
	Type                     string                 `json:"type,omitempty"`
	Selector                 map[string]string      `json:"selector,omitempty"`
	Ports                    []ServicePort          `json:"ports,omitempty"`
	ClusterIP                string                 `json:"clusterIP,omitempty"`
	ClusterIPs               []string               `json:"clusterIPs,omitempty"`
	SessionAffinity          string                 `json:"sessionAffinity,omitempty"`
	SessionAffinityConfig    *SessionAffinityConfig `json:"sessionAffinityConfig,omitempty"`
	ExternalTrafficPolicy    string                 `json:"externalTrafficPolicy,omitempty"`
	InternalTrafficPolicy    *string                `json:"internalTrafficPolicy,omitempty"`
	IPFamilies               []string               `json:"ipFamilies,omitempty"`
	IPFamilyPolicy           *string                `json:"ipFamilyPolicy,omitempty"`
	PublishNotReadyAddresses bool                   `json:"publishNotReadyAddresses,omitempty"`
	TrafficDistribution      *string                `json:"trafficDistribution,omitempty" minipod:"warn"`

	ExternalName                  json.RawMessage `json:"externalName,omitempty" minipod:"reject" why:"ExternalName services are names in a cluster's DNS, which one node does not run"`
	ExternalIPs                   json.RawMessage `json:"externalIPs,omitempty" minipod:"reject" why:"external IPs are routed to a cluster's nodes by its network; use a NodePort"`
	LoadBalancerIP                json.RawMessage `json:"loadBalancerIP,omitempty" minipod:"reject" why:"there is no load balancer on one node; use a NodePort"`
	LoadBalancerSourceRanges      json.RawMessage `json:"loadBalancerSourceRanges,omitempty" minipod:"reject" why:"there is no load balancer on one node; use a NodePort"`
	LoadBalancerClass             json.RawMessage `json:"loadBalancerClass,omitempty" minipod:"reject" why:"there is no load balancer on one node; use a NodePort"`
	AllocateLoadBalancerNodePorts json.RawMessage `json:"allocateLoadBalancerNodePorts,omitempty" minipod:"reject" why:"there is no load balancer on one node; use a NodePort"`
	HealthCheckNodePort           json.RawMessage `json:"healthCheckNodePort,omitempty" minipod:"reject" why:"there is no load balancer on one node; use a NodePort"`
}

// ServicePort is one port of a Service.
type ServicePort struct {
	Name        string       `json:"name,omitempty"`
	Protocol    string       `json:"protocol,omitempty"`
	AppProtocol *string      `json:"appProtocol,omitempty"`
	Port        int32        `json:"port"`
	TargetPort  *IntOrString `json:"targetPort,omitempty"`
	NodePort    int32        `json:"nodePort,omitempty"`
}

// SessionAffinityConfig holds the ClientIP affinity's timeout.
type SessionAffinityConfig struct {
	ClientIP *ClientIPConfig `json:"clientIP,omitempty"`
}

// ClientIPConfig is how long a client sticks to its endpoint.
type ClientIPConfig struct {
	TimeoutSeconds *int32 `json:"timeoutSeconds,omitempty"`
}

// Headless tells a Service without a virtual IP (clusterIP: None): its
// name stands for its pods' addresses.
func (s *Service) Headless() bool { return s.Spec.ClusterIP == ClusterIPNone }
