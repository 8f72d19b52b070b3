package seccomp

import (
	"math/rand/v2"
	"runtime"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestDecideMatchesVM: decide returns what x/net/bpf's VM returns, for
// every syscall of the native ABI with arguments at random and at the
// edges, on the default profile and on one whose rules look at arguments.
func TestDecideMatchesVM(t *testing.T) {
	f, err := nativeFamily()
	if err != nil {
		t.Skip(err)
	}
	native := f[0]
	argRules := &specs.LinuxSeccomp{
		DefaultAction: specs.ActAllow,
		Syscalls: []specs.LinuxSyscall{
			{Names: []string{"clone"}, Action: specs.ActKillProcess, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0x7e020000, Op: specs.OpMaskedEqual, ValueTwo: 0}}},
			{Names: []string{"prctl"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 4, Op: specs.OpEqualTo}}},
			{Names: []string{"personality"}, Action: specs.ActErrno, Args: []specs.LinuxSeccompArg{{Index: 0, Value: 0xffff, Op: specs.OpGreaterThan}}},
			{Names: []string{"mkdir", "mkdirat"}, Action: specs.ActErrno},
		},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for name, s := range map[string]*specs.LinuxSeccomp{"default": runtimeDefault(t, defaultCaps...), "arg rules": argRules} {
		p, vm := vmFor(t, s, runtime.GOARCH)
		for _, e := range syscallTable {
			nr := e.nr[native.col]
			if nr < 0 {
				continue
			}
			for i := 0; i < 8; i++ {
				var args [6]uint64
				for j := range args {
					switch i {
					case 0:
					case 1:
						args[j] = ^uint64(0)
					default:
						args[j] = rng.Uint64() >> (rng.UintN(4) * 16)
					}
				}
				got, err := p.decide(uint32(nr), native.audit, args)
				if err != nil {
					t.Fatalf("%s: %s: %v", name, e.name, err)
				}
				if want := vm(seccompData{nr: uint32(nr), arch: native.audit, args: args}); got != want {
					t.Fatalf("%s: %s%v: decide %#x, VM %#x", name, e.name, args, got, want)
				}
			}
		}
	}
}

// TestDenied: the first call a profile does not let through, by name;
// names this ABI lacks are skipped.
func TestDenied(t *testing.T) {
	deny := func(action specs.LinuxSeccompAction, names ...string) *Program {
		p, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: names, Action: action}}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	calls := []Call{{Name: "no_such_call"}, {Name: "getpid"}, {Name: "clone", Args: [6]uint64{0x4111}}, {Name: "futex"}}
	for _, c := range []struct {
		p    *Program
		want string
	}{
		{deny(specs.ActKillProcess, "clone", "clone3"), "clone"},
		{deny(specs.ActErrno, "futex"), "futex"},
		{deny(specs.ActLog, "futex"), ""},
		{deny(specs.ActKillThread, "getpid"), "getpid"},
		{deny(specs.ActErrno, "mkdir"), ""},
	} {
		got, err := c.p.Denied(calls)
		if err != nil || got != c.want {
			t.Errorf("Denied: %q, %v; want %q", got, err, c.want)
		}
	}
}
