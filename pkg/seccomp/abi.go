package seccomp

import (
	"fmt"
	"runtime"
	"slices"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// x32Bit marks an x32 syscall: x32 shares AUDIT_ARCH_X86_64 with native
// x86_64 and is told apart only by this bit in the syscall number.
const x32Bit = 0x40000000

// abi is one system call convention a filter can see.
type abi struct {
	arch  specs.Arch
	audit uint32 // seccomp_data.arch
	col   int    // column of syscallTable
	// wide is false for 32-bit ABIs: their handlers use only the low 32
	// bits of each argument, so the filter looks only at those too.
	wide bool
}

var (
	abiX86_64  = abi{specs.ArchX86_64, unix.AUDIT_ARCH_X86_64, colX86_64, true}
	abiX32     = abi{specs.ArchX32, unix.AUDIT_ARCH_X86_64, colX32, true}
	abiI386    = abi{specs.ArchX86, unix.AUDIT_ARCH_I386, colI386, false}
	abiAARCH64 = abi{specs.ArchAARCH64, unix.AUDIT_ARCH_AARCH64, colAARCH64, true}
	abiARM     = abi{specs.ArchARM, unix.AUDIT_ARCH_ARM, colARM, false}
)

// family is the set of ABIs one kernel architecture runs: the native one
// first, then the compat ones a profile may add.
type family []abi

// familyOf returns the family of a GOARCH.
func familyOf(goarch string) (family, error) {
	switch goarch {
	case "amd64":
		return family{abiX86_64, abiX32, abiI386}, nil
	case "arm64":
		return family{abiAARCH64, abiARM}, nil
	}
	return nil, fmt.Errorf("seccomp filters are not supported on %s", goarch)
}

// nativeFamily is the family of the machine this binary runs on.
func nativeFamily() (family, error) { return familyOf(runtime.GOARCH) }

// knownArches are the architecture names a profile may list. Those of
// another family are accepted and ignored: this kernel never reports them
// (docker's own profiles list every architecture).
var knownArches = [...]specs.Arch{
	specs.ArchX86, specs.ArchX86_64, specs.ArchX32, specs.ArchARM, specs.ArchAARCH64,
	specs.ArchMIPS, specs.ArchMIPS64, specs.ArchMIPS64N32,
	specs.ArchMIPSEL, specs.ArchMIPSEL64, specs.ArchMIPSEL64N32,
	specs.ArchPPC, specs.ArchPPC64, specs.ArchPPC64LE, specs.ArchS390, specs.ArchS390X,
	specs.ArchPARISC, specs.ArchPARISC64, specs.ArchRISCV64, specs.ArchLOONGARCH64,
	specs.ArchM68K, specs.ArchSH, specs.ArchSHEB,
}

// selectABIs returns the ABIs of f that the filter covers: always the
// native one (as libseccomp does), and each compat one the profile lists.
func selectABIs(f family, arches []specs.Arch) ([]abi, error) {
	listed := map[specs.Arch]bool{}
	for _, a := range arches {
		if !slices.Contains(knownArches[:], a) {
			return nil, fmt.Errorf("unknown seccomp architecture %q", a)
		}
		listed[a] = true
	}
	out := []abi{f[0]}
	for _, a := range f[1:] {
		if listed[a.arch] {
			out = append(out, a)
		}
	}
	return out, nil
}
