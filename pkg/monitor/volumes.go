package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/specconv"
	"github.com/minipod/minipod/pkg/state"
)

// makeVolumes creates every volume of the pod under dir and returns each
// by name, as containers mount it.
func makeVolumes(dir string, m *podspec.Manifest, p *podspec.Pod) (map[string]specconv.Volume, error) {
	out := map[string]specconv.Volume{}
	for _, v := range p.Spec.Volumes {
		vol := specconv.Volume{Dir: filepath.Join(dir, v.Name)}
		var err error
		switch {
		case v.EmptyDir != nil:
			err = makeEmptyDir(vol.Dir, v.EmptyDir)
		case v.ConfigMap != nil:
			// The kubelet's copy of the ConfigMap: containers only read it.
			vol.ReadOnly = true
			err = makeConfigMapVolume(vol.Dir, m, v.ConfigMap)
		default:
			err = fmt.Errorf("no supported source")
		}
		if err == nil && p.Spec.SecurityContext != nil && p.Spec.SecurityContext.FSGroup != nil {
			err = applyFSGroup(vol.Dir, *p.Spec.SecurityContext.FSGroup, vol.ReadOnly)
		}
		if err != nil {
			return nil, fmt.Errorf("create volume %s: %w", v.Name, err)
		}
		out[v.Name] = vol
	}
	return out, nil
}

// makeEmptyDir creates the volume world-writable, as the kubelet does, so
// containers running as any user can use it; medium Memory is a tmpfs whose
// size is sizeLimit.
func makeEmptyDir(path string, e *podspec.EmptyDirVolumeSource) error {
	if e.Medium == "Memory" {
		data := "mode=1777"
		if e.SizeLimit != "" {
			n, err := podspec.QuantityBytes(e.SizeLimit)
			if err != nil {
				return err
			}
			data += ",size=" + strconv.FormatInt(n, 10)
		}
		return mountTmpfs(path, data)
	}
	if err := os.MkdirAll(path, 0o777); err != nil {
		return err
	}
	return os.Chmod(path, 0o777)
}

// cmFile is one file of a configMap volume.
type cmFile struct {
	data []byte
	mode int32
}

// makeConfigMapVolume writes the ConfigMap's keys (or the listed items) as
// files with defaultMode or the item's mode.
func makeConfigMapVolume(path string, m *podspec.Manifest, src *podspec.ConfigMapVolumeSource) error {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	cm, ok := m.ConfigMaps[src.Name]
	if !ok {
		return nil // optional and absent: an empty volume, as Kubernetes
	}
	for rel, f := range configMapFiles(cm, src) {
		// rel was validated as a relative path without "..".
		dst := filepath.Join(path, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := state.WriteFile(dst, f.data, os.FileMode(f.mode)); err != nil {
			return err
		}
	}
	return nil
}

func configMapFiles(cm *podspec.ConfigMap, src *podspec.ConfigMapVolumeSource) map[string]cmFile {
	mode := int32(0o644)
	if src.DefaultMode != nil {
		mode = *src.DefaultMode
	}
	files := map[string]cmFile{}
	if len(src.Items) == 0 {
		for k, v := range cm.Data {
			files[k] = cmFile{[]byte(v), mode}
		}
		for k, v := range cm.BinaryData {
			files[k] = cmFile{v, mode}
		}
		return files
	}
	for _, it := range src.Items {
		raw, ok := []byte(cm.Data[it.Key]), true
		if _, ok = cm.Data[it.Key]; !ok {
			raw = cm.BinaryData[it.Key]
		}
		md := mode
		if it.Mode != nil {
			md = *it.Mode
		}
		files[it.Path] = cmFile{raw, md}
	}
	return files
}
