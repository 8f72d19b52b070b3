package monitor

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
	"golang.org/x/sys/unix"
)

// hostFixture is a directory with one thing of each kind the type checks
// tell apart.
type hostFixture struct {
	dir, file, sock, fifo, dangling string
}

func newHostFixture(t *testing.T) hostFixture {
	t.Helper()
	d := t.TempDir()
	f := hostFixture{dir: filepath.Join(d, "dir"), file: filepath.Join(d, "file"), sock: filepath.Join(d, "sock"),
		fifo: filepath.Join(d, "fifo"), dangling: filepath.Join(d, "dangling")}
	if err := os.Mkdir(f.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f.file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", f.sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if err := mkfifo(f.fifo); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(d, "nowhere", "target"), f.dangling); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestHostPathTypeChecks(t *testing.T) {
	f := newHostFixture(t)
	cases := []struct {
		path, typ, want string // want "" is success
	}{
		{f.dir, "Directory", ""},
		{f.dir, "DirectoryOrCreate", ""},
		{f.dir, "", ""},
		{f.file, "File", ""},
		{f.file, "FileOrCreate", ""},
		{f.sock, "Socket", ""},
		{"/dev/null", "CharDevice", ""},
		{f.file, "Directory", "hostPath type check failed: " + f.file + " is not a directory, it's a File"},
		{f.file, "DirectoryOrCreate", "hostPath type check failed: " + f.file + " is not a directory, it's a File"},
		{f.dir, "File", "hostPath type check failed: " + f.dir + " is not a file, it's a Directory"},
		{f.dir, "FileOrCreate", "hostPath type check failed: " + f.dir + " is not a file, it's a Directory"},
		{f.file, "Socket", "hostPath type check failed: " + f.file + " is not a socket file, it's a File"},
		{f.sock, "CharDevice", "hostPath type check failed: " + f.sock + " is not a character device, it's a Socket"},
		{"/dev/null", "BlockDevice", "hostPath type check failed: /dev/null is not a block device, it's a CharDevice"},
		{f.fifo, "File", "hostPath type check failed, " + f.fifo + " is not a file, unable to determine its type: only recognise"},
		{filepath.Join(f.dir, "absent"), "Directory", "hostPath " + filepath.Join(f.dir, "absent") + " doesn't exist"},
		{filepath.Join(f.dir, "absent"), "File", "hostPath " + filepath.Join(f.dir, "absent") + " doesn't exist"},
	}
	for _, tc := range cases {
		t.Run(tc.typ+" "+filepath.Base(tc.path), func(t *testing.T) {
			err := setUpHostPath(tc.path, tc.typ)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("setUpHostPath: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("setUpHostPath: %v, want %q", err, tc.want)
			}
		})
	}
}

func TestHostPathBlockDevice(t *testing.T) {
	dev := ""
	for _, p := range []string{"/dev/loop0", "/dev/sda", "/dev/vda", "/dev/nvme0n1", "/dev/ram0"} {
		if info, err := os.Stat(p); err == nil && fileType(info.Mode()) == "BlockDevice" {
			dev = p
			break
		}
	}
	if dev == "" {
		t.Skip("no block device node on this machine")
	}
	if err := setUpHostPath(dev, "BlockDevice"); err != nil {
		t.Errorf("setUpHostPath(%s, BlockDevice): %v", dev, err)
	}
}

// TestHostPathCreates: DirectoryOrCreate makes the directory and its
// parents 0755, FileOrCreate an empty 0644 file, whatever the umask; an
// unset type makes a missing path a directory, as the runtime does.
func TestHostPathCreates(t *testing.T) {
	d := t.TempDir()
	old := umask(0o077)
	defer umask(old)
	for _, tc := range []struct{ path, typ string }{
		{filepath.Join(d, "a", "b", "c"), "DirectoryOrCreate"},
		{filepath.Join(d, "unset", "x"), ""},
	} {
		if err := setUpHostPath(tc.path, tc.typ); err != nil {
			t.Fatalf("setUpHostPath(%s, %q): %v", tc.path, tc.typ, err)
		}
		for p := tc.path; p != d; p = filepath.Dir(p) {
			if info, err := os.Stat(p); err != nil || !info.IsDir() || info.Mode().Perm() != 0o755 {
				t.Errorf("%s: %v %v, want a directory 0755", p, info.Mode(), err)
			}
		}
	}
	file := filepath.Join(d, "a", "f.txt")
	if err := setUpHostPath(file, "FileOrCreate"); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(file); err != nil || !info.Mode().IsRegular() || info.Mode().Perm() != 0o644 || info.Size() != 0 {
		t.Errorf("%s: %v %v, want an empty file 0644", file, info.Mode(), err)
	}
}

// TestHostPathFileOrCreateNeedsParent: the kubelet makes no parent for a
// file.
func TestHostPathFileOrCreateNeedsParent(t *testing.T) {
	p := filepath.Join(t.TempDir(), "none", "f")
	err := setUpHostPath(p, "FileOrCreate")
	if err == nil || err.Error() != "open "+p+": no such file or directory" {
		t.Errorf("setUpHostPath: %v, want open %s: no such file or directory", err, p)
	}
	if _, serr := os.Stat(filepath.Dir(p)); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("the parent was made: %v", serr)
	}
}

// TestHostPathNotThroughLinks: a dangling link is never made real, as a
// directory or as a file, nor is anything made below one.
func TestHostPathNotThroughLinks(t *testing.T) {
	for _, tc := range []struct{ rel, typ string }{
		{"", "DirectoryOrCreate"},
		{"", "FileOrCreate"},
		{"", ""},
		{"below", "DirectoryOrCreate"},
	} {
		t.Run(tc.typ+"/"+tc.rel, func(t *testing.T) {
			f := newHostFixture(t)
			err := setUpHostPath(filepath.Join(f.dangling, tc.rel), tc.typ)
			if err == nil || !strings.Contains(err.Error(), "is a symbolic link whose target is missing") {
				t.Errorf("setUpHostPath through a dangling link: %v", err)
			}
			target, _ := os.Readlink(f.dangling)
			if _, serr := os.Lstat(filepath.Dir(target)); !errors.Is(serr, os.ErrNotExist) {
				t.Errorf("something was made where the link points: %v", serr)
			}
		})
	}
}

// TestHostPathFollowsLinks: an existing path is followed through links,
// as the kubelet follows them.
func TestHostPathFollowsLinks(t *testing.T) {
	f := newHostFixture(t)
	link := filepath.Join(filepath.Dir(f.dir), "link")
	if err := os.Symlink(f.dir, link); err != nil {
		t.Fatal(err)
	}
	if err := setUpHostPath(link, "Directory"); err != nil {
		t.Errorf("a link to a directory: %v", err)
	}
	if err := setUpHostPath(filepath.Join(link, "new"), "DirectoryOrCreate"); err != nil {
		t.Fatalf("a directory below a link to one: %v", err)
	}
	if info, err := os.Stat(filepath.Join(f.dir, "new")); err != nil || !info.IsDir() {
		t.Errorf("not made in the link's target: %v", err)
	}
}

func TestHostPathSetting(t *testing.T) {
	pods := []*podspec.Pod{{ObjectMeta: podspec.ObjectMeta{Name: "web"}, Spec: podspec.PodSpec{Volumes: []podspec.Volume{
		{Name: "scratch", EmptyDir: &podspec.EmptyDirVolumeSource{}},
		{Name: "logs", HostPath: &podspec.HostPathVolumeSource{Path: "/var/log"}},
	}}}}
	t.Setenv("MINIPOD_CONFIG", filepath.Join(t.TempDir(), "none"))
	for _, tc := range []struct{ value, want string }{
		{"", ""},
		{"true", ""},
		{"false", "pod web: spec.volumes[1].hostPath: Forbidden: this node does not allow hostPath volumes (node setting allow-host-path-volumes = false)"},
		{"no", `node setting allow-host-path-volumes = "no"`},
	} {
		t.Setenv("MINIPOD_ALLOW_HOST_PATH_VOLUMES", tc.value)
		err := CheckHostPathVolumes(pods)
		if (err == nil) != (tc.want == "") || err != nil && !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s=%q: %v, want %q", "MINIPOD_ALLOW_HOST_PATH_VOLUMES", tc.value, err, tc.want)
		}
	}
}

// TestHostPathOnlyMountedVolumes: a volume no container mounts is not set
// up, as the kubelet's volume manager skips it; a failure is the kind the
// pod waits on (not-found), in the kubelet's words.
func TestHostPathOnlyMountedVolumes(t *testing.T) {
	t.Setenv("MINIPOD_ALLOW_HOST_PATH_VOLUMES", "true")
	dir := filepath.Join(t.TempDir(), "absent")
	v := podspec.Volume{Name: "h", HostPath: &podspec.HostPathVolumeSource{Path: dir, Type: ptrTo("Directory")}}
	p := &podspec.Pod{Spec: podspec.PodSpec{Volumes: []podspec.Volume{v}, Containers: []podspec.Container{{Name: "c"}}}}
	if vol, err := hostPathVolume(p, &v); err != nil || vol.Dir != dir || vol.ReadOnly {
		t.Errorf("unmounted volume: %+v %v", vol, err)
	}
	p.Spec.Containers[0].VolumeMounts = []podspec.VolumeMount{{Name: "h", MountPath: "/h"}}
	_, err := hostPathVolume(p, &v)
	if !errors.Is(err, podspec.ErrObjectNotFound) || err.Error() != "hostPath "+dir+" doesn't exist" {
		t.Errorf("mounted volume: %v, want a not-found error", err)
	}
}

func TestNodename(t *testing.T) {
	yes := true
	p := &podspec.Pod{ObjectMeta: podspec.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: podspec.PodSpec{Hostname: "web", Subdomain: "sub"}}
	if got := nodename(p); got != "web" {
		t.Errorf("without setHostnameAsFQDN: %q", got)
	}
	p.Spec.SetHostnameAsFQDN = &yes
	if got := nodename(p); got != "web.sub.ns.svc.cluster.local" {
		t.Errorf("with setHostnameAsFQDN: %q", got)
	}
	p.Spec.Subdomain = ""
	if got := nodename(p); got != "web" {
		t.Errorf("without a subdomain: %q", got)
	}
}

func ptrTo[T any](v T) *T { return &v }

func mkfifo(p string) error { return unix.Mkfifo(p, 0o600) }

// umask sets the process's umask (the makers must not depend on it).
func umask(m int) int { return unix.Umask(m) }
