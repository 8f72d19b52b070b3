package pod

import (
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/state"
)

// v1Pod rebuilds the v1 Pod object, spec from the stored manifest and
// status from the state record, for `get -o json`.
func v1Pod(st *state.Pod) (*podspec.Pod, error) {
	p, err := roots.LoadManifest(st.Name)
	if err != nil {
		return nil, err
	}
	p.CreationTimestamp = podstatus.Timestamp(st.Created)
	if node := podstatus.NodeName(st); node != "" {
		p.Spec.NodeName = node // the binding's, as the scheduler sets it
	}
	p.Status = podstatus.V1(st)
	podstatus.AddMounts(&p.Spec, p.Status)
	return p, nil
}
