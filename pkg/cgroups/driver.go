package cgroups

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/minipod/minipod/pkg/nodeconfig"
	"golang.org/x/sys/unix"
)

// Parent is the node-level cgroup every pod cgroup lives under.
const Parent = "minipod"

// PauseName is the leaf of a pod cgroup that holds the pause process.
const PauseName = "_pause"

// Driver says which cgroup hierarchy minipod manages. It is recorded with
// each pod, so `exec` and `down` use the same one as `up` did even if the
// node's settings change meanwhile.
type Driver struct {
	// V2 selects the unified hierarchy mounted at Mount; otherwise the v1
	// controllers mounted under /sys/fs/cgroup.
	V2    bool   `json:"v2,omitempty"`
	Mount string `json:"mount,omitempty"`
}

// The cgroup2 mount of a v2 host, and of a hybrid (systemd) host.
const (
	unifiedMount = "/sys/fs/cgroup"
	hybridMount  = "/sys/fs/cgroup/unified"
)

// Detect chooses the driver: the node setting cgroup-version (auto, 1 or
// 2; auto is v2 when /sys/fs/cgroup is a cgroup2 mount) and, for v2,
// cgroup-v2-mount (default: /sys/fs/cgroup, or /sys/fs/cgroup/unified on
// a hybrid host).
func Detect() (Driver, error) {
	version, err := nodeconfig.String("cgroup-version", "auto")
	if err != nil {
		return Driver{}, err
	}
	switch version {
	case "auto":
		if isCgroup2(unifiedMount) {
			return v2Driver()
		}
		return Driver{}, nil
	case "1":
		return Driver{}, nil
	case "2":
		return v2Driver()
	}
	return Driver{}, fmt.Errorf("node setting cgroup-version = %q: must be auto, 1 or 2", version)
}

func v2Driver() (Driver, error) {
	def := unifiedMount
	if !isCgroup2(def) {
		def = hybridMount
	}
	mount, err := nodeconfig.String("cgroup-v2-mount", def)
	if err != nil {
		return Driver{}, err
	}
	if !filepath.IsAbs(mount) {
		return Driver{}, fmt.Errorf("node setting cgroup-v2-mount = %q: must be an absolute path", mount)
	}
	return Driver{V2: true, Mount: filepath.Clean(mount)}, nil
}

func isCgroup2(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// PodPath is the cgroup path of a pod, relative to each hierarchy's root.
// uid must already be validated (a UUID): it becomes a path component.
func PodPath(uid string) (string, error) {
	if uid == "" || strings.ContainsAny(uid, "/\x00") || uid == "." || uid == ".." {
		return "", fmt.Errorf("pod cgroup: invalid pod uid %q", uid)
	}
	return "/" + Parent + "/pod" + uid, nil
}

// Child is the path of a container (or the pause leaf) inside a pod's
// cgroup.
func Child(pod, name string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." {
		return "", fmt.Errorf("pod cgroup: invalid child name %q", name)
	}
	return pod + "/" + name, nil
}

// Recorded is the driver a pod's cgroup was made with, from what its
// state record says (v2 or not, and the cgroup2 mount).
func Recorded(v2 bool, mount string) Driver { return Driver{V2: v2, Mount: mount} }
