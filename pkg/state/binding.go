package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/minipod/minipod/pkg/leanjson"
)

// Binding is what a pod holds of the node, as the scheduler counts it.
type Binding struct {
	Phase    Phase            `json:"phase"`
	Bound    bool             `json:"bound,omitempty"`
	Requests map[string]int64 `json:"requests,omitempty"`
	// UserNS is the pod's ids (Pod.UserNS): no other pod may get them.
	UserNS *IDRange `json:"userNamespace,omitempty"`
}

// BindingOf is the binding p records.
func BindingOf(p *Pod) Binding {
	return Binding{Phase: p.Phase, Bound: p.Bound, Requests: p.Requests, UserNS: p.UserNS}
}

// BindingFile holds a pod's binding alone, beside its state.json, which
// its monitor keeps it in step with (SaveBinding). Every pod's start reads
// the binding of every other pod on the node to place itself, and the
// whole record, a few KB, took 40-100 µs a pod to read and decode: with
// 20 pods on the node that was 2 ms of every `up`.
func (r Roots) BindingFile(pod string) string {
	return filepath.Join(r.PodRun(pod), "binding.json")
}

// AppendBinding appends the encoding of b that SaveBinding writes.
func AppendBinding(dst []byte, b Binding) ([]byte, error) {
	data, err := leanjson.AppendIndent(dst, b, "", "")
	if err != nil {
		return nil, fmt.Errorf("encode binding: %w", err)
	}
	return data, nil
}

// SaveBinding writes the binding file of pod from AppendBinding,
// atomically.
func (r Roots) SaveBinding(pod string, data []byte) error {
	return WriteFile(r.BindingFile(pod), data, 0o600)
}

// RemoveBinding removes the binding file of pod, if there is one: its
// readers then read the record.
func (r Roots) RemoveBinding(pod string) error {
	if err := os.Remove(r.BindingFile(pod)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove binding of %s: %w", pod, err)
	}
	return nil
}

// LoadBinding reads the pod's binding: from its binding file, or from its
// state.json where there is none (a monitor of a version before the file).
func (r Roots) LoadBinding(pod string) (Binding, error) {
	var b Binding
	if err := ValidName(pod); err != nil {
		return b, err
	}
	data, err := os.ReadFile(r.BindingFile(pod))
	if errors.Is(err, fs.ErrNotExist) {
		data, err = os.ReadFile(r.StateFile(pod))
	}
	if err != nil {
		return b, fmt.Errorf("read binding of %s: %w", pod, err)
	}
	if err := leanjson.Unmarshal(data, &b); err != nil {
		return b, fmt.Errorf("decode binding of %s: %w", pod, err)
	}
	return b, nil
}
