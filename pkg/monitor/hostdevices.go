package monitor

import (
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// skipDevDirs are the parts of /dev that are not the node's devices: a
// container has its own ptys, shared memory and message queues.
var skipDevDirs = map[string]bool{"pts": true, "shm": true, "mqueue": true, "fd": true}

// hostDevices lists the node's device nodes, which a privileged container
// gets in its /dev (containerd's rule for privileged pods).
func hostDevices() []specs.LinuxDevice {
	var out []specs.LinuxDevice
	walkDev("/dev", 0, &out)
	return out
}

func walkDev(dir string, depth int, out *[]specs.LinuxDevice) {
	ents, err := os.ReadDir(dir)
	if err != nil || depth > 3 {
		return
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			if !skipDevDirs[e.Name()] || depth > 0 {
				walkDev(p, depth+1, out)
			}
			continue
		}
		if d, ok := deviceAt(p); ok && p != "/dev/console" && p != "/dev/ptmx" {
			*out = append(*out, d)
		}
	}
}

func deviceAt(p string) (specs.LinuxDevice, bool) {
	var st unix.Stat_t
	if unix.Lstat(p, &st) != nil {
		return specs.LinuxDevice{}, false
	}
	typ := ""
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		typ = "c"
	case unix.S_IFBLK:
		typ = "b"
	default:
		return specs.LinuxDevice{}, false
	}
	mode := os.FileMode(st.Mode & 0o777)
	uid, gid := st.Uid, st.Gid
	return specs.LinuxDevice{
		Path: p, Type: typ, Major: int64(unix.Major(st.Rdev)), Minor: int64(unix.Minor(st.Rdev)),
		FileMode: &mode, UID: &uid, GID: &gid,
	}, true
}
