package monitor

import (
	"errors"
	"maps"

	"github.com/minipod/minipod/pkg/podspec"
)

// makeProjectedVolume writes the files of every source in one volume, on
// a tmpfs of the monitor's own mount namespace as for a secret volume: a
// projected volume can hold Secrets, which never reach a disk. A missing
// ConfigMap or Secret that is not optional is an error wrapping
// podspec.ErrObjectNotFound, and the pod waits for it.
func makeProjectedVolume(path string, objs podspec.Objects, p *podspec.Pod, src *podspec.ProjectedVolumeSource) error {
	var items []podspec.DownwardAPIVolumeFile
	for _, s := range src.Sources {
		if s.DownwardAPI != nil {
			items = append(items, s.DownwardAPI.Items...)
		}
	}
	alloc, err := allocatableFor(items)
	if err != nil {
		return err
	}
	files, err := projectedFiles(objs, p, src, alloc)
	if err != nil {
		return err
	}
	if err := freshMemoryDir(path); err != nil {
		return err
	}
	return writeFiles(path, files)
}

// projectedFiles gathers the sources' files in order; a later source's
// file replaces an earlier one's at the same path, as in the kubelet
// (validation refuses items that collide, not whole objects that do).
func projectedFiles(objs podspec.Objects, p *podspec.Pod, src *podspec.ProjectedVolumeSource, alloc podspec.ResourceAmounts) (map[string]volFile, error) {
	files := map[string]volFile{}
	for _, s := range src.Sources {
		got, err := projectionFiles(objs, p, s, *src.DefaultMode, alloc)
		if err != nil {
			return nil, err
		}
		maps.Copy(files, got)
	}
	return files, nil
}

func projectionFiles(objs podspec.Objects, p *podspec.Pod, s podspec.VolumeProjection, mode int32, alloc podspec.ResourceAmounts) (map[string]volFile, error) {
	switch {
	case s.ConfigMap != nil:
		return configMapProjection(objs, p.Namespace, s.ConfigMap, mode)
	case s.Secret != nil:
		return secretProjection(objs, p.Namespace, s.Secret, mode)
	case s.DownwardAPI != nil:
		return downwardFiles(p, s.DownwardAPI.Items, mode, alloc)
	}
	// An empty source: the API server takes it, the kubelet writes nothing.
	return nil, nil
}

// configMapProjection is a ConfigMap's data and binaryData as files; an
// optional ConfigMap that is missing gives none.
func configMapProjection(objs podspec.Objects, ns string, src *podspec.ConfigMapProjection, mode int32) (map[string]volFile, error) {
	data := map[string][]byte{}
	cm, err := objs.ConfigMap(ns, src.Name)
	switch {
	case errors.Is(err, podspec.ErrObjectNotFound) && isTrue(src.Optional):
	case err != nil:
		return nil, err
	default:
		for k, v := range cm.Data {
			data[k] = []byte(v)
		}
		maps.Copy(data, cm.BinaryData)
	}
	return keyFiles("configmap references non-existent config key", data, src.Items, mode, isTrue(src.Optional))
}

// secretProjection is a Secret's data as files; an optional Secret that
// is missing gives none.
func secretProjection(objs podspec.Objects, ns string, src *podspec.SecretProjection, mode int32) (map[string]volFile, error) {
	var data map[string][]byte
	sec, err := objs.Secret(ns, src.Name)
	switch {
	case errors.Is(err, podspec.ErrObjectNotFound) && isTrue(src.Optional):
	case err != nil:
		return nil, err
	default:
		data = sec.Data
	}
	return keyFiles("references non-existent secret key", data, src.Items, mode, isTrue(src.Optional))
}
