package state

import (
	"fmt"
	"os"
	"strings"

	"github.com/minipod/minipod/pkg/podspec"
	"sigs.k8s.io/yaml"
)

// SaveManifest stores pod p and the ConfigMaps of m it may use as the
// pod's manifest: YAML that LoadManifest parses again, with the UID `up`
// fixed.
func (r Roots) SaveManifest(m *podspec.Manifest, p *podspec.Pod) error {
	docs := []any{p}
	for _, cm := range m.ConfigMaps {
		docs = append(docs, cm)
	}
	var b strings.Builder
	for _, d := range docs {
		y, err := yaml.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode manifest of %s: %w", p.Name, err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return WriteFile(r.Manifest(p.Name), []byte(b.String()), 0o600)
}

// LoadManifest reads the pod's stored manifest: the manifest (the pod and
// its ConfigMaps) and the pod, which must be the only one and bear that
// name.
func (r Roots) LoadManifest(pod string) (*podspec.Manifest, *podspec.Pod, error) {
	data, err := os.ReadFile(r.Manifest(pod))
	if err != nil {
		return nil, nil, fmt.Errorf("read manifest of %s: %w", pod, err)
	}
	m, _, err := podspec.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("parse manifest of %s: %w", pod, err)
	}
	if len(m.Pods) != 1 || m.Pods[0].Name != pod {
		return nil, nil, fmt.Errorf("manifest of %s does not hold exactly that pod", pod)
	}
	return m, m.Pods[0], nil
}
