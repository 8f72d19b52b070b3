package state

import (
	"errors"
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/leanjson"
	"github.com/minipod/minipod/pkg/podspec"
)

// SaveManifest stores pod p, validated and defaulted, with the UID `up`
// fixed, as the pod's manifest (JSON, which is YAML too). The objects it
// refers to are the node's (pkg/store), looked up when the pod needs
// them, as a kubelet does: a Secret is never copied here. Encoded with
// leanjson, as LoadManifest decodes it: `up` encodes one pod per process,
// where encoding/json would first build its caches of the Pod's types.
func (r Roots) SaveManifest(p *podspec.Pod) error {
	b, err := leanjson.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode manifest of %s: %w", p.Name, err)
	}
	return WriteFile(r.Manifest(p.Name), b, 0o600)
}

// LoadManifest reads the pod's stored manifest, which must hold that pod
// alone. It was checked by `up` and is root's alone, so it is decoded
// as it was written rather than parsed and validated again: that costs
// every pod's start a millisecond or more (a manifest of an older minipod,
// in YAML, still takes the long way).
func (r Roots) LoadManifest(pod string) (*podspec.Pod, error) {
	data, err := os.ReadFile(r.Manifest(pod))
	if err != nil {
		return nil, fmt.Errorf("read manifest of %s: %w", pod, err)
	}
	p, err := decodePod(data)
	if err != nil {
		// Where no YAML decoder is linked (the monitor's program), the
		// decode's own error says what is wrong.
		if p2, perr := parsePod(data); !errors.Is(perr, podspec.ErrNoYAML) {
			p, err = p2, perr
		}
	}
	if err != nil {
		return nil, fmt.Errorf("parse manifest of %s: %w", pod, err)
	}
	if p.Name != pod {
		return nil, fmt.Errorf("manifest of %s does not hold exactly that pod", pod)
	}
	return p, nil
}

func decodePod(data []byte) (*podspec.Pod, error) {
	var p podspec.Pod
	if err := leanjson.UnmarshalStrict(data, &p); err != nil {
		return nil, err
	}
	if p.Kind != "Pod" || p.APIVersion != "v1" {
		return nil, fmt.Errorf("not a v1 Pod")
	}
	return &p, nil
}

func parsePod(data []byte) (*podspec.Pod, error) {
	m, _, err := podspec.Parse(data)
	if err != nil {
		return nil, err
	}
	// An older minipod stored the pod's ConfigMaps beside it: ignored,
	// the node's store has them now.
	if len(m.Pods) != 1 {
		return nil, fmt.Errorf("not exactly one pod")
	}
	return m.Pods[0], nil
}
