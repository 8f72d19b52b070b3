package seccomp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// useNodeConfig points nodeconfig at a settings file with text.
func useNodeConfig(t *testing.T, text string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MINIPOD_CONFIG", path)
	t.Setenv("MINIPOD_SECCOMP_DEFAULT", "")
}

func TestNodeDefault(t *testing.T) {
	cases := []struct {
		file, want, err string
	}{
		{"", RuntimeDefault, ""},
		{"seccomp-default = Unconfined\n", Unconfined, ""},
		{"seccomp-default = RuntimeDefault\n", RuntimeDefault, ""},
		{"seccomp-default = Localhost\n", "", "node setting seccomp-default"},
		{"seccomp-default = unconfined\n", "", "must be RuntimeDefault or Unconfined"},
	}
	for _, c := range cases {
		useNodeConfig(t, c.file)
		got, err := NodeDefault()
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want an error with %q", c.file, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: %q, %v; want %q", c.file, got, err, c.want)
		}
	}
}

func TestChooseKinds(t *testing.T) {
	spec := specWithCaps(defaultCaps...)
	useNodeConfig(t, "")
	if s, err := Choose("", "", "", spec); err != nil || s == nil || s.DefaultAction != specs.ActErrno {
		t.Errorf("empty kind with no node setting: %v, %v; want the default profile", s, err)
	}
	if s, err := Choose(Unconfined, "", "", spec); err != nil || s != nil {
		t.Errorf("Unconfined: %v, %v", s, err)
	}
	useNodeConfig(t, "seccomp-default = Unconfined\n")
	if s, err := Choose("", "", "", spec); err != nil || s != nil {
		t.Errorf("empty kind, node Unconfined: %v, %v", s, err)
	}
	if s, err := Choose(RuntimeDefault, "", "", spec); err != nil || s == nil {
		t.Errorf("RuntimeDefault on an Unconfined node: %v, %v", s, err)
	}
	t.Setenv("MINIPOD_SECCOMP_DEFAULT", "Bogus")
	if _, err := Choose("", "", "", spec); err == nil || !strings.Contains(err.Error(), "seccomp-default") {
		t.Errorf("bad node setting: %v", err)
	}
	for _, c := range []struct{ kind, localhost, err string }{
		{"Sometimes", "", "unknown seccompProfile type"},
		{RuntimeDefault, "x.json", "needs type Localhost"},
		{Localhost, "", "needs localhostProfile"},
	} {
		if _, err := Choose(c.kind, c.localhost, t.TempDir(), spec); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("Choose(%q, %q): %v, want an error with %q", c.kind, c.localhost, err, c.err)
		}
	}
	// A spec without capabilities gets the groups of no capability.
	for _, sp := range []*specs.Spec{nil, {}, {Process: &specs.Process{}}} {
		s, err := Choose(RuntimeDefault, "", "", sp)
		if err != nil || s == nil {
			t.Fatalf("spec %+v: %v, %v", sp, s, err)
		}
		_, run := vmFor(t, s, "amd64")
		if got := run(seccompData{arch: archX86_64, nr: 165}); got != retEPERM {
			t.Errorf("mount without capabilities: %#x", got)
		}
	}
}

const (
	// errnoProfile denies everything but what a Go program needs to
	// print and exit, plus getpid; getppid gets ENOENT.
	errnoProfile = `{
	"defaultAction": "SCMP_ACT_ERRNO",
	"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	"syscalls": [
		{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 2},
		{"names": ["getpid", "write", "exit", "exit_group", "futex", "rt_sigreturn", "rt_sigprocmask",
			"rt_sigaction", "sigaltstack", "mmap", "munmap", "madvise", "sched_yield", "nanosleep",
			"clock_gettime", "gettid", "tgkill", "getrlimit", "epoll_pwait", "epoll_ctl", "read", "close",
			"fcntl", "openat", "mprotect", "brk", "prctl", "seccomp", "capget", "capset"], "action": "SCMP_ACT_ALLOW"}
	]
}`
	// logProfile lets everything through, logged, but denies getppid.
	logProfile = `{
	"defaultAction": "SCMP_ACT_LOG",
	"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]
}`
)

// profileRoot makes a profile root with the test profiles, a symlink
// out of it, and files next to it that must stay out of reach.
func profileRoot(t *testing.T) string {
	t.Helper()
	outside := t.TempDir()
	root := filepath.Join(outside, "seccomp")
	write := func(path, text string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, "profiles", "errno.json"), errnoProfile)
	write(filepath.Join(root, "log.json"), logProfile)
	write(filepath.Join(root, "notify.json"), `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_NOTIFY"}]}`)
	write(filepath.Join(root, "empty.json"), `{}`)
	write(filepath.Join(root, "broken.json"), `{"defaultAction": `)
	write(filepath.Join(root, "big.json"), `{"defaultAction": "SCMP_ACT_ALLOW"}`+strings.Repeat(" ", maxProfileSize))
	write(filepath.Join(outside, "x"), logProfile)
	write(filepath.Join(outside, "etc", "x"), logProfile)
	for name, target := range map[string]string{"etc": "/etc", "up": "..", "abs.json": filepath.Join(outside, "x")} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Mkfifo(filepath.Join(root, "fifo.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestLocalhost(t *testing.T) {
	root := profileRoot(t)
	spec := specWithCaps(defaultCaps...)
	cases := []struct {
		path    string
		err     string
		deflt   specs.LinuxSeccompAction
		isNil   bool
		getppid uint32
	}{
		{path: "profiles/errno.json", deflt: specs.ActErrno, getppid: retErrno(unix.ENOENT)},
		{path: "./profiles//errno.json", deflt: specs.ActErrno, getppid: retErrno(unix.ENOENT)},
		{path: "log.json", deflt: specs.ActLog, getppid: retErrno(unix.EACCES)},
		{path: "empty.json", isNil: true},
		{path: "../x", err: "must not contain .."},
		{path: "profiles/../../x", err: "must not contain .."},
		{path: "/etc/x", err: "must be relative"},
		// etc -> /etc resolves to root/etc, itself: a loop, not the host's.
		{path: "etc/passwd", err: "read seccomp profile etc/passwd"},
		{path: "etc/x", err: "read seccomp profile etc/x"},
		{path: "up/x", err: "no such file"},
		{path: "abs.json", err: "no such file"},
		{path: "missing.json", err: "no such file"},
		{path: "profiles", err: "not a regular file"},
		{path: "fifo.json", err: "not a regular file"},
		{path: "notify.json", err: "SCMP_ACT_NOTIFY"},
		{path: "broken.json", err: "load seccomp profile broken.json"},
		{path: "big.json", err: "larger than"},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			s, err := Choose(Localhost, c.path, root, spec)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("%v, %v; want an error with %q", s, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.isNil {
				if s != nil {
					t.Fatalf("got %+v, want unconfined", s)
				}
				return
			}
			if s.DefaultAction != c.deflt {
				t.Errorf("defaultAction %s, want %s", s.DefaultAction, c.deflt)
			}
			_, run := vmFor(t, s, "amd64")
			if got := run(seccompData{arch: archX86_64, nr: 110}); got != c.getppid {
				t.Errorf("getppid: %#x, want %#x", got, c.getppid)
			}
		})
	}
}
