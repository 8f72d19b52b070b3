package pod

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/store"
)

// ExposeOptions are the flags of `minipod expose pod NAME`, kubectl's.
type ExposeOptions struct {
	Pod        string
	Name       string // the Service's; default the pod's
	Type       string // ClusterIP (default) or NodePort
	Port       int32  // 0: the pod's container ports
	TargetPort string // number or name; default the port
	NodePort   int32  // 0: allocated
	Protocol   string // default TCP
	Out, Err   io.Writer
}

// Expose makes a Service that selects the pod by its labels, as `kubectl
// expose pod` does, and prints `service/NAME exposed`.
func Expose(o ExposeOptions) error {
	p, err := roots.LoadManifest(o.Pod)
	if err != nil {
		return fmt.Errorf("pods %q not found", o.Pod)
	}
	if len(p.Labels) == 0 {
		return errors.New("couldn't retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed")
	}
	svc, err := exposedService(o, p)
	if err != nil {
		return err
	}
	m := podspec.NewManifest()
	m.Services[svc.Name] = svc
	if err := podspec.ValidateObjects(m); err != nil {
		return fmt.Errorf("expose: %w", err)
	}
	s := store.New(roots)
	if _, err := s.Entry(store.Services, svc.Namespace, svc.Name); err == nil {
		return fmt.Errorf("services %q already exists", svc.Name)
	}
	if _, err := s.ApplyService(svc); err != nil {
		return err
	}
	syncWarn(o.Err)
	fmt.Fprintf(o.Out, "service/%s exposed\n", svc.Name)
	return nil
}

func exposedService(o ExposeOptions, p *podspec.Pod) (*podspec.Service, error) {
	name := o.Name
	if name == "" {
		name = p.Name
	}
	svc := &podspec.Service{TypeMeta: podspec.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: podspec.ObjectMeta{Name: name, Namespace: p.Namespace, Labels: p.Labels},
		Spec:       podspec.ServiceSpec{Type: o.Type, Selector: p.Labels}}
	ports, err := exposedPorts(o, p)
	if err != nil {
		return nil, err
	}
	svc.Spec.Ports = ports
	return svc, nil
}

// exposedPorts: --port (with --target-port, --node-port), or every
// container port of the pod, named port-1, port-2... when several.
func exposedPorts(o ExposeOptions, p *podspec.Pod) ([]podspec.ServicePort, error) {
	if o.Port != 0 {
		sp := podspec.ServicePort{Port: o.Port, Protocol: o.Protocol, NodePort: o.NodePort}
		if o.TargetPort != "" {
			sp.TargetPort = intOrString(o.TargetPort)
		}
		return []podspec.ServicePort{sp}, nil
	}
	var out []podspec.ServicePort
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			out = append(out, podspec.ServicePort{Port: cp.ContainerPort, Protocol: cp.Protocol, TargetPort: &podspec.IntOrString{Int: cp.ContainerPort}})
		}
	}
	if len(out) == 0 {
		return nil, errors.New("couldn't find port via --port flag or introspection")
	}
	if len(out) > 1 {
		for i := range out {
			out[i].Name = "port-" + strconv.Itoa(i+1)
		}
	}
	return out, nil
}

func intOrString(s string) *podspec.IntOrString {
	if n, err := strconv.Atoi(s); err == nil {
		return &podspec.IntOrString{Int: int32(n)}
	}
	return &podspec.IntOrString{IsString: true, Str: s}
}
