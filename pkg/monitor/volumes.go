package monitor

import (
	"strings"

	"errors"
	"fmt"
	"golang.org/x/sys/unix"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/specconv"
)

// makeVolumes creates every volume of the pod under dir and returns each
// by name, as containers mount it. A volume whose ConfigMap, Secret or
// claim the node does not have yet is returned in waiting, its directory
// empty: the pod's containers wait for it (mountWaiting).
func makeVolumes(dir string, objs podspec.Objects, p *podspec.Pod) (map[string]specconv.Volume, []*podspec.Volume, error) {
	out := map[string]specconv.Volume{}
	var waiting []*podspec.Volume
	for i := range p.Spec.Volumes {
		v := &p.Spec.Volumes[i]
		vol, err := makeVolume(dir, objs, p, v)
		if errors.Is(err, podspec.ErrObjectNotFound) {
			waiting = append(waiting, v)
		} else if err != nil {
			return nil, nil, err
		}
		out[v.Name] = vol
	}
	return out, waiting, nil
}

// makeVolume creates one volume; a claim's volume is its own directory.
func makeVolume(dir string, objs podspec.Objects, p *podspec.Pod, v *podspec.Volume) (specconv.Volume, error) {
	vol := specconv.Volume{Dir: filepath.Join(dir, v.Name)}
	var err error
	switch {
	case v.EmptyDir != nil:
		err = makeEmptyDir(vol.Dir, v.EmptyDir)
	case v.ConfigMap != nil:
		// The kubelet's copy of the ConfigMap: containers only read it.
		vol.ReadOnly = true
		err = makeConfigMapVolume(vol.Dir, objs, p.Namespace, v.ConfigMap)
	case v.Secret != nil:
		vol.Dir, vol.ReadOnly = inMemory(dir, v.Name), true
		if err = mountMemory(dir, p); err == nil {
			err = makeSecretVolume(vol.Dir, objs, p.Namespace, v.Secret)
		}
	case v.DownwardAPI != nil:
		vol.Dir, vol.ReadOnly = inMemory(dir, v.Name), true
		if err = mountMemory(dir, p); err == nil {
			err = makeDownwardVolume(vol.Dir, p, v.DownwardAPI)
		}
	case v.Projected != nil:
		vol.Dir, vol.ReadOnly = inMemory(dir, v.Name), true
		if err = mountMemory(dir, p); err == nil {
			err = makeProjectedVolume(vol.Dir, objs, p, v.Projected)
		}
	case v.PersistentVolumeClaim != nil:
		vol.ReadOnly = v.PersistentVolumeClaim.ReadOnly
		vol.Dir, err = bindClaim(p.Namespace, v.PersistentVolumeClaim.ClaimName)
	case v.HostPath != nil:
		return hostPathVolume(p, v) // the host's own files: no fsGroup (hostpath.go)
	case v.Image != nil:
		// Mounted once pulled (imagevol.go), read-only: no fsGroup either.
		vol.ReadOnly, vol.Image = true, true
		return vol, nil
	default:
		err = fmt.Errorf("no supported source")
	}
	if err == nil && p.Spec.SecurityContext != nil && p.Spec.SecurityContext.FSGroup != nil {
		err = applyFSGroup(vol.Dir, *p.Spec.SecurityContext.FSGroup, vol.ReadOnly)
	}
	if err != nil {
		return vol, fmt.Errorf("create volume %s: %w", v.Name, err)
	}
	return vol, nil
}

// makeEmptyDir creates the volume world-writable, as the kubelet does, so
// containers running as any user can use it, or with the mode the volume
// asks; medium Memory is a tmpfs whose size is sizeLimit. (fsGroup, applied
// after, has the last word on the group's bits.)
func makeEmptyDir(path string, e *podspec.EmptyDirVolumeSource) error {
	mode := uint32(0o777)
	if e.Mode != nil {
		mode = uint32(*e.Mode)
	}
	if e.Medium == "Memory" {
		data := "mode=1777" // the kubelet leaves a tmpfs's own root mode
		if e.Mode != nil {
			data = "mode=" + strconv.FormatUint(uint64(mode), 8)
		}
		if e.SizeLimit != "" {
			n, err := podspec.QuantityBytes(e.SizeLimit)
			if err != nil {
				return err
			}
			data += ",size=" + strconv.FormatInt(n, 10)
		}
		return mountTmpfs(path, data)
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return err
	}
	return os.Chmod(path, fs.FileMode(mode&0o777)|goSpecial(mode))
}

// volFile is one file of a volume made of keys: configMap, secret,
// downwardAPI, projected.
type volFile struct {
	data []byte
	mode int32
}

// makeConfigMapVolume writes the ConfigMap's keys (or the listed items) as
// files with defaultMode or the item's mode. An optional ConfigMap that
// is missing is an empty volume, as in Kubernetes.
func makeConfigMapVolume(path string, objs podspec.Objects, ns string, src *podspec.ConfigMapVolumeSource) error {
	cm, err := objs.ConfigMap(ns, src.Name)
	if errors.Is(err, podspec.ErrObjectNotFound) && isTrue(src.Optional) {
		return os.MkdirAll(path, 0o755)
	}
	if err != nil {
		return err
	}
	data := map[string][]byte{}
	for k, v := range cm.Data {
		data[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		data[k] = v
	}
	files, err := keyFiles("configmap references non-existent config key", data, src.Items, *src.DefaultMode, isTrue(src.Optional))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return err
	}
	return writeFiles(path, files)
}

// keyFiles maps an object's keys to the volume's files: every key, or
// the listed items (a listed key that is missing fails the mount unless
// the source is optional, as the kubelet's).
func keyFiles(missingKey string, data map[string][]byte, items []podspec.KeyToPath, mode int32, optional bool) (map[string]volFile, error) {
	files := map[string]volFile{}
	if len(items) == 0 {
		for k, v := range data {
			files[k] = volFile{v, mode}
		}
		return files, nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			return nil, podspec.Missing("%s: %s", missingKey, it.Key)
		}
		md := mode
		if it.Mode != nil {
			md = *it.Mode
		}
		files[it.Path] = volFile{v, md}
	}
	return files, nil
}

// writeFiles writes a volume's files under dir, which the monitor has
// just made and no container has seen (so nothing in it can be a link a
// container planted); rel paths were validated as relative, without "..".
// No temporary file and rename: nobody reads the volume before it is done.
func writeFiles(dir string, files map[string]volFile) error {
	for rel, f := range files {
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if strings.Contains(rel, "/") {
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
		}
		if err := writeVolumeFile(dst, f); err != nil {
			return err
		}
	}
	return nil
}

// writeVolumeFile writes one file with exactly its mode (past the umask).
func writeVolumeFile(path string, f volFile) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, uint32(f.mode))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer unix.Close(fd)
	for b := f.data; len(b) > 0; {
		n, err := unix.Write(fd, b)
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		b = b[n:]
	}
	if err := unix.Fchmod(fd, uint32(f.mode)); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// memoryDir is the directory, below the pod's volumes, of the one tmpfs
// that holds its secret, downwardAPI and projected volumes (a dot name:
// never a volume's). One mount for all of them keeps a pod's start from
// paying a mount each.
const memoryDir = ".memory"

// inMemory is where volume name lives on the pod's memory tmpfs.
func inMemory(volumes, name string) string { return filepath.Join(volumes, memoryDir, name) }

// maxMemoryVolumes bounds the memory tmpfs of a pod: its files are
// written by the monitor, so their pages are charged to the monitor, not
// the pod, and a 1 MiB Secret listed under many paths would otherwise pin
// hundreds of MiB of the host's memory. Smaller when the pod's memory
// limit is (the kubelet sizes memory-backed volumes by that limit).
const maxMemoryVolumes = 64 << 20

// mountMemory mounts the pod's memory tmpfs below the volumes directory,
// once, in the monitor's mount namespace.
func mountMemory(volumes string, p *podspec.Pod) error {
	mem := filepath.Join(volumes, memoryDir)
	var fs unix.Statfs_t
	if unix.Statfs(mem, &fs) == nil && fs.Type == unix.TMPFS_MAGIC {
		return nil
	}
	size := int64(maxMemoryVolumes)
	if lim, ok := p.CgroupLimits()[podspec.ResourceMemory]; ok && lim < size {
		size = lim
	}
	return mountTmpfs(mem, "mode=0755,size="+strconv.FormatInt(size, 10))
}

// freshMemoryDir makes dir, a volume on the pod's memory tmpfs, empty: a
// volume made again after a missing object starts from nothing. A volume
// whose files do not fit fails to mount (ENOSPC), as a FailedMount.
func freshMemoryDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("empty %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return nil
}

func isTrue(b *bool) bool { return b != nil && *b }
