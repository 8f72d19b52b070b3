package monitor

import (
	"errors"
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/mounts"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// checkSubPaths fails, before anything of the container is made, a
// subPath that its volume cannot give, as the kubelet's makeMounts and the
// runtime's CreateContainer do, so that the container waits and is tried
// again (configFailed) instead of failing to start:
//   - into an image volume, a path the image lacks, in CRI-O's words
//     (CreateContainerError): nothing can create it in a read-only image;
//   - into any other volume, a path that cannot be resolved inside it (a
//     file where a directory should be, a link loop), in the kubelet's
//     words, which do not tell what the volume holds
//     (CreateContainerConfigError). A missing one is made at the mount
//     (mounts.bind), with the volume root's permission bits.
//
// Every subPath is resolved inside its volume (RESOLVE_IN_ROOT): a link
// of the volume leads nowhere outside it. A sibling container may change
// the volume after the check; the mount resolves it again.
func checkSubPaths(pe podEnv, c *podspec.Container) error {
	for _, vm := range c.VolumeMounts {
		v, ok := pe.volumes[vm.Name]
		if vm.SubPath == "" || !ok {
			continue
		}
		err := inVolume(v.Dir, vm.SubPath)
		switch {
		case err == nil:
		case v.Image:
			return &ConfigError{Msg: fmt.Sprintf("sub path %q does not exist in image volume %q", vm.SubPath, imageRef(pe.pod, vm.Name)), err: err, why: state.ReasonCreateContainerError}
		case !errors.Is(err, unix.ENOENT):
			return &ConfigError{Msg: fmt.Sprintf("failed to prepare subPath for volumeMount %q of container %q", vm.Name, c.Name), err: err}
		}
	}
	return nil
}

// imageRef is the reference of the pod's image volume name.
func imageRef(p *podspec.Pod, name string) string {
	for _, v := range p.Spec.Volumes {
		if v.Name == name && v.Image != nil {
			return v.Image.Reference
		}
	}
	return ""
}

// inVolume tells whether sub exists inside the volume at dir.
func inVolume(dir, sub string) error {
	root, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer root.Close()
	f, err := mounts.OpenInRoot(root, sub)
	if err != nil {
		return err
	}
	return f.Close()
}
