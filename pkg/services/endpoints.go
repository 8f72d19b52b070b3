package services

import (
	"net"
	"sort"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/state"
)

// Pod is what a Service needs to know of a pod.
type Pod struct {
	Name, Namespace string
	IP              string
	Ready           bool
	Labels          map[string]string
	Ports           []state.Port
}

// readyPods reads the state record of every pod on the node; a pod being
// deleted is not ready, as the kubelet marks a terminating pod.
func readyPods(r state.Roots) []Pod {
	names, _ := r.List()
	var out []Pod
	for _, n := range names {
		st, err := r.Load(n)
		if err != nil || st.PodIP == "" {
			continue
		}
		out = append(out, Pod{Name: st.Name, Namespace: st.Namespace, IP: st.PodIP, Labels: st.Labels, Ports: st.Ports,
			Ready: !st.Terminating && st.Phase == state.PhaseRunning && podstatus.PodReady(st)})
	}
	return out
}

// Pods reads the pods on the node as Services see them.
func Pods(r state.Roots) []Pod { return readyPods(r) }

// Address is one endpoint of a Service port.
type Address struct {
	Pod  string
	IP   string
	Port int32
}

// Endpoints are the addresses of svc's port p: the pods of its namespace
// that its selector matches and that are ready (or not, with
// publishNotReadyAddresses), at the target port (a named one resolved in
// each pod, which may not have it). A Service without a selector has
// none: its endpoints would be given by hand, which minipod does not keep.
func Endpoints(svc *podspec.Service, p podspec.ServicePort, pods []Pod) []Address {
	if len(svc.Spec.Selector) == 0 {
		return nil
	}
	var out []Address
	for _, pod := range pods {
		if pod.Namespace != svc.Namespace || !matches(svc.Spec.Selector, pod.Labels) || !(pod.Ready || svc.Spec.PublishNotReadyAddresses) {
			continue
		}
		if port, ok := targetPort(p, pod); ok {
			out = append(out, Address{Pod: pod.Name, IP: pod.IP, Port: port})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pod < out[j].Pod })
	return out
}

func matches(selector, labels map[string]string) bool {
	for k, v := range selector {
		if l, ok := labels[k]; !ok || l != v {
			return false
		}
	}
	return true
}

// targetPort is the pod's port for p: the number, or the container port of
// that name and protocol.
func targetPort(p podspec.ServicePort, pod Pod) (int32, bool) {
	if !p.TargetPort.IsString {
		return p.TargetPort.Int, true
	}
	for _, cp := range pod.Ports {
		if cp.Name == p.TargetPort.Str && strings.EqualFold(protocolOr(cp.Protocol), p.Protocol) {
			return cp.ContainerPort, true
		}
	}
	return 0, false
}

func protocolOr(p string) string {
	if p == "" {
		return "TCP"
	}
	return p
}

// rulePorts turns the Services into what the node's rules implement; a
// headless Service has no virtual address, only names.
func rulePorts(svcs []*podspec.Service, pods []Pod) []network.ServicePort {
	var out []network.ServicePort
	for _, svc := range svcs {
		if svc.Headless() || svc.Spec.ClusterIP == "" {
			continue
		}
		for _, p := range svc.Spec.Ports {
			sp := network.ServicePort{
				Name:      svc.Namespace + "/" + svc.Name + ":" + p.Name,
				ClusterIP: net.ParseIP(svc.Spec.ClusterIP).To4(),
				Port:      uint16(p.Port),
				NodePort:  uint16(p.NodePort),
				Protocol:  strings.ToLower(p.Protocol),
				Local:     svc.Spec.ExternalTrafficPolicy == "Local",
			}
			if c := svc.Spec.SessionAffinityConfig; svc.Spec.SessionAffinity == "ClientIP" && c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil {
				sp.Affinity = time.Duration(*c.ClientIP.TimeoutSeconds) * time.Second
			}
			for _, a := range Endpoints(svc, p, pods) {
				sp.Endpoints = append(sp.Endpoints, network.Endpoint{IP: net.ParseIP(a.IP).To4(), Port: uint16(a.Port)})
			}
			out = append(out, sp)
		}
	}
	return out
}
