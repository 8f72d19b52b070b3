package ctrinit

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/minipod/minipod/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func defaultSpec(t *testing.T) *specs.Spec {
	t.Helper()
	s := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{}}, Linux: &specs.Linux{}}
	prof, err := seccomp.Choose(seccomp.RuntimeDefault, "", "", s)
	if err != nil {
		t.Fatal(err)
	}
	s.Linux.Seccomp = prof
	return s
}

// TestLoadFilter: a bundle's program is what compiling its profile gives;
// a spec that announces one fails without it (missing, damaged, or beside
// a profile) rather than running unconfined, and so does compiling such
// a spec where the bundle is not read (exec).
func TestLoadFilter(t *testing.T) {
	s := defaultSpec(t)
	want, err := CompileFilter(s)
	if err != nil || want == nil {
		t.Fatalf("compile: %v %v", want, err)
	}
	dir := t.TempDir()
	data, err := want.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FilterFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	announced := &specs.Spec{Annotations: map[string]string{FilterAnnotation: FilterFile}, Linux: &specs.Linux{Seccomp: Sentinel()}}
	got, err := LoadFilter(dir, announced)
	if err != nil || !slices.Equal(got.Instructions(), want.Instructions()) {
		t.Fatalf("LoadFilter: %v; %d instructions, want %d", err, got.Len(), want.Len())
	}
	if got, err := LoadFilter(dir, &specs.Spec{Annotations: announced.Annotations, Linux: &specs.Linux{}}); err != nil || got.Len() != want.Len() {
		t.Errorf("announced without a sentinel: %v", err)
	}
	if _, err := CompileFilter(announced); !errors.Is(err, ErrFilterNotGiven) {
		t.Errorf("CompileFilter of an announced program: %v, want ErrFilterNotGiven", err)
	}
	if got, err := LoadFilter(t.TempDir(), announced); err == nil {
		t.Errorf("missing program: %v, want an error", got)
	}
	if err := os.WriteFile(filepath.Join(dir, FilterFile), data[:len(data)-8], 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadFilter(dir, announced); err == nil {
		t.Errorf("program cut short: %v, want an error", got)
	}
	both := &specs.Spec{Annotations: announced.Annotations, Linux: &specs.Linux{Seccomp: s.Linux.Seccomp}}
	if got, err := LoadFilter(dir, both); err == nil {
		t.Errorf("program and profile: %v, want an error", got)
	}
	other := &specs.Spec{Annotations: map[string]string{FilterAnnotation: "../seccomp.bpf"}, Linux: &specs.Linux{}}
	if got, err := LoadFilter(dir, other); err == nil {
		t.Errorf("another file named: %v, want an error", got)
	}
	if got, err := LoadFilter(dir, s); err != nil || !slices.Equal(got.Instructions(), want.Instructions()) {
		t.Errorf("no announcement: %v, want the profile compiled", err)
	}
	if got, err := LoadFilter(dir, &specs.Spec{Linux: &specs.Linux{}}); got != nil || err != nil {
		t.Errorf("unconfined: %v %v, want no filter", got, err)
	}
}

// TestSentinelAllowsNothing: an init that knows nothing of the program in
// the bundle compiles config.json's sentinel section, whose filter allows
// no syscall at all (or fails to compile): the start fails, the container
// never runs unconfined.
func TestSentinelAllowsNothing(t *testing.T) {
	p, err := seccomp.Compile(Sentinel())
	if err != nil {
		return
	}
	for i, in := range p.Instructions() {
		if in.Code == unix.BPF_RET|unix.BPF_K && in.K&unix.SECCOMP_RET_ACTION_FULL != unix.SECCOMP_RET_KILL_PROCESS {
			t.Errorf("instruction %d returns %#x, want only SECCOMP_RET_KILL_PROCESS", i, in.K)
		}
	}
	if p.Len() == 0 {
		t.Error("empty program")
	}
}
