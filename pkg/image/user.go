package image

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/mounts"
	"golang.org/x/sys/unix"
)

// ResolveUser turns the image config's User ("", "uid", "name",
// "uid:gid", "name:group", ...) into numeric ids as docker and containerd
// do: names are looked up in the image's /etc/passwd and /etc/group (the
// top-most layer that has them, read inside that layer); a user without a
// group gets its passwd entry's primary group, or 0 when it has none.
func (img *Image) ResolveUser() (uid, gid uint32, err error) {
	return img.ResolveUserSpec(img.Config.User)
}

// ResolveUserSpec resolves a user spec the way ResolveUser resolves the
// image's own (for a container's securityContext-free override, say).
func (img *Image) ResolveUserSpec(spec string) (uid, gid uint32, err error) {
	if spec == "" {
		return 0, 0, nil
	}
	user, group, hasGroup := strings.Cut(spec, ":")
	if user == "" {
		return 0, 0, fmt.Errorf("image user %q: empty user", spec)
	}
	u, uNumeric := parseID(user)
	var primary uint32
	found := false
	if !uNumeric || !hasGroup {
		pw, err := img.readLayerFile("/etc/passwd")
		if err != nil && !uNumeric {
			return 0, 0, fmt.Errorf("image user %q: no /etc/passwd in the image: %w", spec, err)
		}
		for _, f := range dbEntries(pw, 4) {
			if f[0] == user || (uNumeric && f[2] == user) {
				id, ok1 := parseID(f[2])
				g, ok2 := parseID(f[3])
				if ok1 && ok2 {
					u, primary, found = id, g, true
					break
				}
			}
		}
		if !found && !uNumeric {
			return 0, 0, fmt.Errorf("image user %q: no user %q in the image's /etc/passwd", spec, user)
		}
	}
	if !hasGroup {
		return u, primary, nil
	}
	if g, ok := parseID(group); ok {
		return u, g, nil
	}
	gr, err := img.readLayerFile("/etc/group")
	if err != nil {
		return 0, 0, fmt.Errorf("image user %q: no /etc/group in the image: %w", spec, err)
	}
	for _, f := range dbEntries(gr, 3) {
		if f[0] == group {
			if g, ok := parseID(f[2]); ok {
				return u, g, nil
			}
		}
	}
	return 0, 0, fmt.Errorf("image user %q: no group %q in the image's /etc/group", spec, group)
}

func parseID(s string) (uint32, bool) {
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err == nil
}

// dbEntries splits passwd/group lines into colon fields, keeping lines with
// at least min fields.
func dbEntries(data []byte, min int) [][]string {
	var out [][]string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if f := strings.Split(line, ":"); len(f) >= min {
			out = append(out, f)
		}
	}
	return out
}

// readLayerFile reads file p (absolute, no symlinks followed out of a
// layer) from the top-most layer that has it, honouring whiteouts and
// opaque directories of the layers above. At most 1 MiB is read.
func (img *Image) readLayerFile(p string) ([]byte, error) {
	for i := len(img.Layers) - 1; i >= 0; i-- {
		data, stop, err := readInLayer(img.Layers[i], p)
		if err == nil || stop {
			return data, err
		}
	}
	return nil, fs.ErrNotExist
}

// readInLayer reads p inside one layer. stop says that lower layers must
// not be consulted: p or a parent is whited out or opaque here.
func readInLayer(layer, p string) (data []byte, stop bool, err error) {
	root, err := os.OpenFile(layer, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false, err
	}
	defer root.Close()
	// Whiteouts and opaque markers on the way down.
	for q := p; q != "/"; q = path.Dir(q) {
		var st unix.Stat_t
		if lstatIn(root, q, &st) != nil {
			continue
		}
		if st.Mode&unix.S_IFMT == unix.S_IFCHR && st.Rdev == 0 {
			return nil, true, fs.ErrNotExist
		}
		if q != p && st.Mode&unix.S_IFMT == unix.S_IFDIR && opaque(root, q) {
			stop = true
		}
	}
	f, err := mounts.OpenInRoot(root, p)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil, stop, err
	}
	if err != nil {
		// Not "absent here": a lower layer's file must not stand in.
		return nil, true, err
	}
	defer f.Close()
	// Checked on the O_PATH handle, before opening for reading: an image
	// can make /etc/passwd a FIFO, whose open would block the monitor.
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, true, errors.New(p + " is not a regular file")
	}
	rf, err := reopen(f, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return nil, stop, err
	}
	defer rf.Close()
	data, err = io.ReadAll(io.LimitReader(rf, 1<<20))
	return data, true, err
}

func lstatIn(root *os.File, q string, st *unix.Stat_t) error {
	dir, base := path.Split(q)
	d, err := mounts.OpenInRoot(root, path.Clean(dir))
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Fstatat(int(d.Fd()), base, st, unix.AT_SYMLINK_NOFOLLOW)
}

func opaque(root *os.File, q string) bool {
	d, err := mounts.OpenInRoot(root, q)
	if err != nil {
		return false
	}
	defer d.Close()
	f, err := reopen(d, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 4)
	n, err := unix.Fgetxattr(int(f.Fd()), "trusted.overlay.opaque", buf)
	return err == nil && n == 1 && buf[0] == 'y'
}

// PrimaryGroup is the group of user uid in the image's /etc/passwd (what a
// runAsUser without runAsGroup runs with, as containerd does); 0 when the
// image does not list the user.
func (img *Image) PrimaryGroup(uid uint32) uint32 {
	pw, err := img.readLayerFile("/etc/passwd")
	if err != nil {
		return 0
	}
	for _, f := range dbEntries(pw, 4) {
		if id, ok := parseID(f[2]); ok && id == uid {
			if g, ok := parseID(f[3]); ok {
				return g
			}
		}
	}
	return 0
}

// UserGroups are the groups the image's /etc/group lists user uid (by its
// name in /etc/passwd) as a member of: the supplementary groups a
// container gets with supplementalGroupsPolicy Merge, as containerd adds
// them.
func (img *Image) UserGroups(uid uint32) []uint32 {
	pw, err := img.readLayerFile("/etc/passwd")
	if err != nil {
		return nil
	}
	name := ""
	for _, f := range dbEntries(pw, 4) {
		if id, ok := parseID(f[2]); ok && id == uid {
			name = f[0]
			break
		}
	}
	gr, err := img.readLayerFile("/etc/group")
	if name == "" || err != nil {
		return nil
	}
	var out []uint32
	for _, f := range dbEntries(gr, 4) {
		for _, m := range strings.Split(f[3], ",") {
			if g, ok := parseID(f[2]); ok && strings.TrimSpace(m) == name {
				out = append(out, g)
			}
		}
	}
	return out
}
