package mounts

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// flagOptions maps mount(8) option words to mount(2) flags; everything else
// is passed to the filesystem as data.
var flagOptions = map[string]uintptr{
	"ro":          unix.MS_RDONLY,
	"nosuid":      unix.MS_NOSUID,
	"nodev":       unix.MS_NODEV,
	"noexec":      unix.MS_NOEXEC,
	"strictatime": unix.MS_STRICTATIME,
	"relatime":    unix.MS_RELATIME,
	"rw":          0,
}

// filesystem mounts a kernel filesystem (proc, tmpfs, devpts, sysfs, mqueue)
// onto m.Destination resolved inside root.
func filesystem(root *os.File, m specs.Mount) error {
	dst, err := openDir(root, m.Destination)
	if err != nil {
		return err
	}
	defer dst.Close()
	if err := checkLiteral(root, dst, m.Destination); err != nil {
		return err
	}
	flags, data := parseOptions(m.Options)
	if m.Type == "proc" && procPIDNS != nil {
		return procOf(procPIDNS, dst, flags, data)
	}
	// Read-only is made a property of this mount, not of the filesystem:
	// instances such as sysfs are shared by every mount in a network
	// namespace, and a read-only superblock would make a privileged
	// container's /sys read-only too when its pod's other container
	// mounted first (runc remounts the same way).
	if err := unix.Mount(m.Source, fdPath(dst), m.Type, flags&^unix.MS_RDONLY, data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", m.Type, m.Destination, err)
	}
	if flags&unix.MS_RDONLY == 0 {
		return nil
	}
	top, err := openDir(root, m.Destination) // the new mount, not what it covers
	if err != nil {
		return err
	}
	defer top.Close()
	if err := unix.Mount("", fdPath(top), "", unix.MS_REMOUNT|unix.MS_BIND|flags, ""); err != nil {
		return fmt.Errorf("make %s on %s read-only: %w", m.Type, m.Destination, err)
	}
	return nil
}

func parseOptions(opts []string) (uintptr, string) {
	var flags uintptr
	var data []string
	for _, o := range opts {
		if f, ok := flagOptions[o]; ok {
			flags |= f
			continue
		}
		data = append(data, o)
	}
	return flags, strings.Join(data, ",")
}

// checkLiteral refuses a kernel filesystem whose destination is reached
// through a symlink of the image (runc refuses a /proc that is not a
// directory too): /proc as a link to /p would put procfs at /p, and leave
// /proc to whatever the container makes of it, where minipod, as the
// host's root, could be led to resolve /proc/self paths.
func checkLiteral(root, dst *os.File, dest string) error {
	rel, err := resolvedIn(root, dst, dest)
	if err != nil {
		return err
	}
	if rel != filepath.Clean("/"+dest) {
		return fmt.Errorf("mount destination %s is reached through a symlink", dest)
	}
	return nil
}
