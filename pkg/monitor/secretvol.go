package monitor

import (
	"errors"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/store"
)

// makeSecretVolume writes the Secret's keys (or the listed items) on a
// tmpfs of the monitor's own mount namespace, as the kubelet does: a
// Secret never reaches a disk, and the mount is gone with the pod.
func makeSecretVolume(path string, objs podspec.Objects, ns string, src *podspec.SecretVolumeSource) error {
	sec, err := objs.Secret(ns, src.SecretName)
	if errors.Is(err, podspec.ErrObjectNotFound) && isTrue(src.Optional) {
		return freshMemoryDir(path)
	}
	if err != nil {
		return err
	}
	files, err := keyFiles("references non-existent secret key", sec.Data, src.Items, *src.DefaultMode, isTrue(src.Optional))
	if err != nil {
		return err
	}
	if err := freshMemoryDir(path); err != nil {
		return err
	}
	return writeFiles(path, files)
}

// bindClaim is the directory of a claim's volume, made on first use.
func bindClaim(ns, name string) (string, error) {
	return store.New(roots).BindClaim(ns, name)
}
