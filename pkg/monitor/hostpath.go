package monitor

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/specconv"
	"golang.org/x/sys/unix"
)

// hostPathSetting lets a node refuse hostPath volumes: they give a pod the
// node's own files, which is why PodSecurity's baseline level forbids them.
// Allowed unless set to false, as on a node without PodSecurity.
const hostPathSetting = "allow-host-path-volumes"

// hostPathRefused is why a pod with a hostPath volume is refused.
var hostPathRefused = "this node does not allow hostPath volumes (node setting " + hostPathSetting + " = false)"

// hostPathsAllowed reads the setting; anything but true or false is an
// error naming it, as a node policy must not fall back to a default.
func hostPathsAllowed() (bool, error) {
	v, err := nodeconfig.String(hostPathSetting, "true")
	if err != nil {
		return false, err
	}
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("node setting %s = %q in %s: must be true or false", hostPathSetting, v, nodeconfig.File())
}

// CheckHostPathVolumes fails `up` before anything is created when the node
// does not allow hostPath volumes and a pod has one, naming each.
func CheckHostPathVolumes(pods []*podspec.Pod) error {
	allowed, err := hostPathsAllowed()
	if err != nil || allowed {
		return err
	}
	var errs []error
	for _, p := range pods {
		for i, v := range p.Spec.Volumes {
			if v.HostPath != nil {
				errs = append(errs, fmt.Errorf("pod %s: spec.volumes[%d].hostPath: Forbidden: %s", p.Name, i, hostPathRefused))
			}
		}
	}
	return errors.Join(errs...)
}

// hostPathVolume is a hostPath volume as containers mount it: the host's
// path itself, bound read-only or not as each volumeMount says, and never
// given to fsGroup (the kubelet leaves the host's files as they are). The
// path's type is checked, and made for the *OrCreate types, as the
// kubelet's SetUp does before any container starts; only volumes a
// container mounts are set up, as the kubelet's volume manager does. A
// failure is not-found to makeVolumes: the pod's containers wait, and the
// set-up is tried again (mountWaiting), as the kubelet retries a mount.
// The monitor checks the node setting again, in case it changed since up.
func hostPathVolume(p *podspec.Pod, v *podspec.Volume) (specconv.Volume, error) {
	vol := specconv.Volume{Dir: v.HostPath.Path}
	allowed, err := hostPathsAllowed()
	if err == nil && !allowed {
		err = errors.New(hostPathRefused)
	}
	if err != nil {
		return vol, fmt.Errorf("create volume %s: %w", v.Name, err)
	}
	if !mountedByContainer(p, v.Name) {
		return vol, nil
	}
	if err := setUpHostPath(v.HostPath.Path, v.HostPath.TypeOrUnset()); err != nil {
		return vol, podspec.Missing("%v", err)
	}
	return vol, nil
}

// mountedByContainer tells whether a container of p mounts volume name.
func mountedByContainer(p *podspec.Pod, name string) bool {
	for _, c := range p.Spec.AllContainers() {
		for _, vm := range c.VolumeMounts {
			if vm.Name == name {
				return true
			}
		}
	}
	return false
}

// setUpHostPath is the kubelet's checkType, in its words. Paths are
// followed through symbolic links, as the kubelet follows them (and the
// API documents it): the manifest's author is given the host's path, and
// whatever it leads to, by design. What minipod adds is that nothing is
// ever created through a link: DirectoryOrCreate, FileOrCreate and the
// unset type make only what is missing, from descriptors of the existing
// parent, without following the last element; a dangling link is
// reported, not filled in with a file or directory where it points (the
// kubelet's O_CREATE would make its target).
func setUpHostPath(path, typ string) error {
	switch typ {
	case podspec.HostPathUnset:
		// The kubelet checks nothing; the container runtime (containerd,
		// docker) then makes a missing path a directory.
		if missing(path) {
			return makeHostDir(path)
		}
		return nil
	case podspec.HostPathDirectoryOrCreate:
		if missing(path) {
			if err := makeHostDir(path); err != nil {
				return err
			}
		}
		return matchType(path, "Directory", "directory")
	case podspec.HostPathDirectory:
		return matchType(path, "Directory", "directory")
	case podspec.HostPathFileOrCreate:
		if missing(path) {
			if err := makeHostFile(path); err != nil {
				return err
			}
		}
		return matchType(path, "File", "file")
	case podspec.HostPathFile:
		return matchType(path, "File", "file")
	case podspec.HostPathSocket:
		return matchType(path, "Socket", "socket file")
	case podspec.HostPathCharDevice:
		return matchType(path, "CharDevice", "character device")
	case podspec.HostPathBlockDevice:
		return matchType(path, "BlockDevice", "block device")
	}
	return fmt.Errorf("%s is an invalid volume type", typ)
}

// missing: nothing is at path, following links (a dangling link is
// missing too, as for the kubelet; the makers refuse to go through it).
func missing(path string) bool {
	_, err := os.Stat(path)
	return errors.Is(err, fs.ErrNotExist)
}

// matchType is the kubelet's typeMatchedOrError.
func matchType(path, want, desc string) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("hostPath %s doesn't exist", path)
	}
	if err != nil {
		return fmt.Errorf("hostPath type check failed, %s is not a %s, unable to determine its type: %w", path, desc, err)
	}
	got := fileType(info.Mode())
	if got == "" {
		return fmt.Errorf("hostPath type check failed, %s is not a %s, unable to determine its type: "+
			"only recognise file, directory, socket, block device and character device", path, desc)
	}
	if got != want {
		return fmt.Errorf("hostPath type check failed: %s is not a %s, it's a %s", path, desc, got)
	}
	return nil
}

// fileType names a mode as the kubelet's GetFileType does; "" for what it
// does not know (a FIFO).
func fileType(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "Directory"
	case mode.IsRegular():
		return "File"
	case mode&fs.ModeSocket != 0:
		return "Socket"
	case mode&fs.ModeCharDevice != 0:
		return "CharDevice"
	case mode&fs.ModeDevice != 0:
		return "BlockDevice"
	}
	return ""
}

// makeHostDir is MkdirAll(path, 0755) made one directory at a time from a
// descriptor of its parent: a directory that exists is entered as path
// resolution enters it (a link to one is followed), a missing one is made
// with mkdirat and opened without following links, so that a link that
// dangles, or that something put there meanwhile, is never made real. A
// directory minipod makes is 0755 whatever the umask, as documented.
func makeHostDir(path string) error {
	dir, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: "/", Err: err}
	}
	cur := "/"
	for _, name := range strings.Split(path, "/") {
		if name == "" || name == "." {
			continue
		}
		cur = filepath.Join(cur, name)
		next, err := enterOrMakeDir(dir, name, cur)
		unix.Close(dir)
		if err != nil {
			return err
		}
		dir = next
	}
	unix.Close(dir)
	return nil
}

// enterOrMakeDir returns a descriptor of directory name in parent, made
// if missing; path names it in errors.
func enterOrMakeDir(parent int, name, path string) (int, error) {
	fd, err := unix.Openat(parent, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == nil {
		return fd, nil
	}
	if err != unix.ENOENT {
		return -1, &fs.PathError{Op: "mkdir", Path: path, Err: err}
	}
	made := true
	if err := unix.Mkdirat(parent, name, 0o755); err == unix.EEXIST {
		made = false // a dangling link, or made meanwhile by someone else
	} else if err != nil {
		return -1, &fs.PathError{Op: "mkdir", Path: path, Err: err}
	}
	fd, err = unix.Openat(parent, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, notThrough(parent, name, path, "mkdir", err)
	}
	if made {
		if err := unix.Fchmod(fd, 0o755); err != nil {
			unix.Close(fd)
			return -1, &fs.PathError{Op: "chmod", Path: path, Err: err}
		}
	}
	return fd, nil
}

// makeHostFile is FileOrCreate's empty file, 0644: its directory must
// exist (the kubelet makes no parents), and O_EXCL|O_NOFOLLOW never makes
// a file where a link points.
func makeHostFile(path string) error {
	dir, name := filepath.Split(filepath.Clean(path))
	parent, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(parent)
	fd, err := unix.Openat(parent, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err == unix.EEXIST {
		// Made meanwhile (the type check looks at it), or a link.
		return notThrough(parent, name, path, "open", nil)
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	if err := unix.Fchmod(fd, 0o644); err != nil {
		return &fs.PathError{Op: "chmod", Path: path, Err: err}
	}
	return nil
}

// notThrough explains why name in parent was not made: a symbolic link
// is there (whose target is missing, or the first stat would have found
// it); otherwise err, if any, as it is.
func notThrough(parent int, name, path, op string, err error) error {
	var st unix.Stat_t
	if unix.Fstatat(parent, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return fmt.Errorf("hostPath %s is a symbolic link whose target is missing: minipod does not create through links", path)
	}
	if err == nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}
