package state

import (
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/podspec"
	"sigs.k8s.io/yaml"
)

// SaveManifest stores pod p as the pod's manifest: YAML that LoadManifest
// parses again, with the UID `up` fixed. The objects it refers to are the
// node's (pkg/store), looked up when the pod needs them, as a kubelet
// does: a Secret is never copied here.
func (r Roots) SaveManifest(p *podspec.Pod) error {
	y, err := yaml.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode manifest of %s: %w", p.Name, err)
	}
	return WriteFile(r.Manifest(p.Name), y, 0o600)
}

// LoadManifest reads the pod's stored manifest, which must hold that pod
// alone.
func (r Roots) LoadManifest(pod string) (*podspec.Pod, error) {
	data, err := os.ReadFile(r.Manifest(pod))
	if err != nil {
		return nil, fmt.Errorf("read manifest of %s: %w", pod, err)
	}
	m, _, err := podspec.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse manifest of %s: %w", pod, err)
	}
	if len(m.Pods) != 1 || m.Pods[0].Name != pod || len(m.ConfigMaps)+len(m.Secrets)+len(m.Claims)+len(m.Services) > 0 {
		return nil, fmt.Errorf("manifest of %s does not hold exactly that pod", pod)
	}
	return m.Pods[0], nil
}
