package state

import (
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/leanjson"
	"io/fs"
	"os"
	"sort"
)

// Load reads the pod's state.json. A pod whose directory exists but whose
// state was never written (an `up` that is still starting or crashed early)
// yields a minimal record with phase Pending.
func (r Roots) Load(pod string) (*Pod, error) {
	if err := ValidName(pod); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(r.StateFile(pod))
	if errors.Is(err, fs.ErrNotExist) {
		fi, derr := os.Stat(r.PodRun(pod))
		if derr != nil {
			return nil, fmt.Errorf("pod %q: %w", pod, ErrNotExist)
		}
		// Being created: its age is its directory's.
		return &Pod{Name: pod, Phase: "Pending", Created: fi.ModTime().UTC()}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state of %s: %w", pod, err)
	}
	var p Pod
	if err := leanjson.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("decode state of %s: %w", pod, err)
	}
	return &p, nil
}

// List returns the names of all pods that have a state directory, sorted.
func (r Roots) List() ([]string, error) {
	entries, err := os.ReadDir(r.Run)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && ValidName(e.Name()) == nil {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// Alive tells whether pod (with that UID, when both are known) still
// exists, for the network's lease store, which reclaims the leases and
// hostPorts of pods lost in a crash.
// Only the record's UID is decoded: `down` asks this of every pod on the
// node (the leases it scans), and a whole record costs ten times as much.
func (r Roots) Alive(pod, uid string) bool {
	if ValidName(pod) != nil {
		return false
	}
	data, err := os.ReadFile(r.StateFile(pod))
	if errors.Is(err, fs.ErrNotExist) {
		// No record: being created if its directory is there, else gone.
		_, derr := os.Stat(r.PodRun(pod))
		return derr == nil
	}
	var rec struct {
		UID string `json:"uid"`
	}
	if err != nil || leanjson.Unmarshal(data, &rec) != nil {
		return true // unreadable is not gone: keep what it holds
	}
	return rec.UID == "" || uid == "" || rec.UID == uid
}
