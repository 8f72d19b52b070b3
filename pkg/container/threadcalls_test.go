package container

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/seccomp"
)

// TestThreadMayLoadDefaultProfile: the default profile, with no
// capability or with every one the kubelet gives, lets the monitor's
// thread finish an exec as root and as another user (such execs stay on
// the fast path); a profile that kills a fork, or fails a call of Go's
// runtime or of the user switch, does not.
func TestThreadMayLoadDefaultProfile(t *testing.T) {
	for _, caps := range [][]string{nil, {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
		"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}} {
		spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: caps}}}
		s, err := seccomp.Choose(seccomp.RuntimeDefault, "", "", spec)
		if err != nil {
			t.Fatal(err)
		}
		p, err := seccomp.Compile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []uint32{0, 1000} {
			if !threadMayLoad(p, specs.User{UID: id, GID: id}) {
				t.Errorf("default profile, caps %v, uid %d: not loadable on the monitor's thread", caps, id)
			}
		}
	}
	for _, c := range []struct {
		action specs.LinuxSeccompAction
		names  []string
	}{
		{specs.ActKillProcess, []string{"clone", "clone3", "fork", "vfork"}},
		{specs.ActErrno, []string{"futex"}},
		{specs.ActKillThread, []string{"capset"}},
		{specs.ActErrno, []string{"setresuid"}},
	} {
		p, err := seccomp.Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: c.names, Action: c.action}}})
		if err != nil {
			t.Fatal(err)
		}
		if threadMayLoad(p, specs.User{}) {
			t.Errorf("profile %s on %v: loadable on the monitor's thread", c.action, c.names)
		}
	}
}

// TestSelfConfined: a filter the monitor's thread may not load has the
// command confined in a process of its own, unless a container that sees
// it may trace it; the default profile stays on the thread.
func TestSelfConfined(t *testing.T) {
	killFork, err := seccomp.Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"clone"}, Action: specs.ActKillProcess}}})
	if err != nil {
		t.Fatal(err)
	}
	o := ExecOptions{Spec: &specs.Spec{Process: &specs.Process{}}}
	set := &ns.Set{}
	if enter, err := selfConfined(o, set, nil); enter || err != nil {
		t.Errorf("no filter: process of its own %v, %v", enter, err)
	}
	if enter, err := selfConfined(o, set, killFork); !enter || err != nil {
		t.Errorf("fork-killing filter: process of its own %v, %v; want one", enter, err)
	}
	o.Tracers = true
	if _, err := selfConfined(o, set, killFork); err == nil || !strings.Contains(err.Error(), "CAP_SYS_PTRACE") {
		t.Errorf("fork-killing filter, tracers about: %v, want a refusal", err)
	}
}

// TestSpawnDenied: the default profile, with SYS_PTRACE added (what makes
// a command spawned), lets the spawn role run; a profile that kills a plain
// fork, or fails the exec of the role, is named.
func TestSpawnDenied(t *testing.T) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_SYS_PTRACE", "CAP_KILL"}}}}
	s, err := seccomp.Choose(seccomp.RuntimeDefault, "", "", spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := seccomp.Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	if call := SpawnDenied(p); call != "" {
		t.Errorf("default profile: the spawn role's %s denied", call)
	}
	if call := SpawnDenied(nil); call != "" {
		t.Errorf("no filter: %s denied", call)
	}
	for name, action := range map[string]specs.LinuxSeccompAction{"clone": specs.ActKillProcess, "execveat": specs.ActErrno, "socketpair": specs.ActErrno} {
		p, err := seccomp.Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{name}, Action: action}}})
		if err != nil {
			t.Fatal(err)
		}
		if call := SpawnDenied(p); call != name {
			t.Errorf("profile %s on %s: denied %q", action, name, call)
		}
	}
}

// TestOurChild: a child of ours, or one gone, is taken as the spawned
// command; a live process that is not our child never is.
func TestOurChild(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if !ourChild(cmd.Process.Pid) {
		t.Errorf("our child %d not taken", cmd.Process.Pid)
	}
	if ourChild(os.Getppid()) || ourChild(1) || ourChild(0) {
		t.Error("a process that is not our child was taken")
	}
}
