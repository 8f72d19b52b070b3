package monitor

import (
	"errors"
	"fmt"

	"github.com/minipod/minipod/pkg/capacity"
	"github.com/minipod/minipod/pkg/podspec"
)

// makeDownwardVolume writes the pod's fields and its containers'
// resources as files on a tmpfs of the monitor's own mount namespace, as
// the kubelet does: the volume is gone with the pod.
func makeDownwardVolume(path string, p *podspec.Pod, src *podspec.DownwardAPIVolumeSource) error {
	alloc, err := allocatableFor(src.Items)
	if err != nil {
		return err
	}
	files, err := downwardFiles(p, src.Items, *src.DefaultMode, alloc)
	if err != nil {
		return err
	}
	if err := freshMemoryDir(path); err != nil {
		return err
	}
	return writeFiles(path, files)
}

// allocatableFor measures the node's allocatable resources only when an
// item reads a container's resources (a limit it does not set is the
// node's amount): measuring stays off every other pod's start.
func allocatableFor(items []podspec.DownwardAPIVolumeFile) (podspec.ResourceAmounts, error) {
	for _, it := range items {
		if it.ResourceFieldRef != nil {
			return capacity.Allocatable(roots.Data)
		}
	}
	return nil, nil
}

// downwardFiles is the file of each item, with the item's mode or mode.
func downwardFiles(p *podspec.Pod, items []podspec.DownwardAPIVolumeFile, mode int32, alloc podspec.ResourceAmounts) (map[string]volFile, error) {
	files := map[string]volFile{}
	for _, it := range items {
		v, err := downwardValue(p, it, alloc)
		if err != nil {
			return nil, fmt.Errorf("downwardAPI item %q: %w", it.Path, err)
		}
		md := mode
		if it.Mode != nil {
			md = *it.Mode
		}
		files[it.Path] = volFile{[]byte(v), md}
	}
	return files, nil
}

func downwardValue(p *podspec.Pod, it podspec.DownwardAPIVolumeFile, alloc podspec.ResourceAmounts) (string, error) {
	switch {
	case it.FieldRef != nil:
		return podspec.VolumeFieldValue(p, it.FieldRef.FieldPath)
	case it.ResourceFieldRef != nil && it.ResourceFieldRef.ContainerName != "":
		return podspec.ResourceFieldValue(p, nil, it.ResourceFieldRef, alloc)
	}
	// Validation refuses both; a volume has no container of its own.
	return "", errors.New("neither a fieldRef nor a resourceFieldRef with a containerName")
}
