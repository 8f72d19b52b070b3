package ctrinit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/minipod/minipod/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// The monitor compiles a container's seccomp profile once and puts the
// program in the bundle (FilterFile, seccomp.Program's binary encoding)
// instead of the profile in config.json: init then neither decodes the
// profile's JSON (9 KB of syscall names for RuntimeDefault) nor compiles
// it, in a fresh process on every container start, and the monitor keeps
// the same program for exec. FilterAnnotation in config.json says that
// the bundle holds one, so that a missing or damaged file fails the start
// rather than leaving the container unconfined; config.json's own seccomp
// section then holds Sentinel, so that an init of an older minipod (a
// companion program left from another build), which knows nothing of the
// annotation, fails the start too instead of running the container
// without a filter.
const (
	FilterAnnotation = "io.minipod.seccomp.program"
	FilterFile       = "seccomp.bpf"
)

// Sentinel is the seccomp section of a config.json whose program is in
// the bundle: a profile that kills the process at its next syscall.
func Sentinel() *specs.LinuxSeccomp {
	return &specs.LinuxSeccomp{DefaultAction: specs.ActKillProcess}
}

// isSentinel tells whether s is Sentinel (or absent).
func isSentinel(s *specs.LinuxSeccomp) bool {
	return s == nil || s.DefaultAction == specs.ActKillProcess && s.DefaultErrnoRet == nil &&
		len(s.Architectures) == 0 && len(s.Flags) == 0 && s.ListenerPath == "" &&
		s.ListenerMetadata == "" && len(s.Syscalls) == 0
}

// ErrFilterNotGiven is a spec whose seccomp program is in its bundle,
// used where the bundle is not read (exec must be handed the program).
var ErrFilterNotGiven = errors.New("the container's seccomp program was not given")

// LoadFilter is the container's seccomp filter (nil when it runs
// unconfined): the program in the bundle where the spec announces one,
// else compiled from the spec's profile.
func LoadFilter(bundle string, s *specs.Spec) (*seccomp.Program, error) {
	name, ok := s.Annotations[FilterAnnotation]
	if !ok {
		return CompileFilter(s)
	}
	if name != FilterFile || s.Linux != nil && !isSentinel(s.Linux.Seccomp) {
		return nil, fmt.Errorf("container config: annotation %s=%q with a profile of its own", FilterAnnotation, name)
	}
	data, err := os.ReadFile(filepath.Join(bundle, FilterFile))
	if err != nil {
		return nil, fmt.Errorf("read seccomp program: %w", err)
	}
	var p seccomp.Program
	if err := p.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return &p, nil
}

// CompileFilter builds the container's seccomp filter from its spec
// (nil when it runs unconfined). It reads nothing of the container; a
// spec whose program is in its bundle is an error here.
func CompileFilter(s *specs.Spec) (*seccomp.Program, error) {
	if _, ok := s.Annotations[FilterAnnotation]; ok {
		return nil, ErrFilterNotGiven
	}
	if s.Linux == nil || s.Linux.Seccomp == nil {
		return nil, nil
	}
	prog, err := seccomp.Compile(s.Linux.Seccomp)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: %w", err)
	}
	return prog, nil
}
