package container

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/minipod/minipod/pkg/seccomp"
)

// TestThreadCallsDefaultProfile: the default profile, with no capability
// or with every one the kubelet gives, lets the monitor's thread finish
// an exec as root and as another user; a profile that kills a fork, or
// fails a runtime call, does not, and the error names the call.
func TestThreadCallsDefaultProfile(t *testing.T) {
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
			if err := checkThreadCalls(p, id, id); err != nil {
				t.Errorf("default profile, caps %v, uid %d: %v", caps, id, err)
			}
		}
	}
	for _, c := range []struct {
		action specs.LinuxSeccompAction
		names  []string
		want   string
	}{
		{specs.ActKillProcess, []string{"clone", "clone3", "fork", "vfork"}, "clone"},
		{specs.ActErrno, []string{"futex"}, "futex"},
		{specs.ActKillThread, []string{"capset"}, "capset"},
	} {
		p, err := seccomp.Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: c.names, Action: c.action}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := checkThreadCalls(p, 0, 0); err == nil || !strings.Contains(err.Error(), "allow "+c.want+",") {
			t.Errorf("profile %s on %v: got %v, want a refusal naming %s", c.action, c.names, err, c.want)
		}
	}
}
