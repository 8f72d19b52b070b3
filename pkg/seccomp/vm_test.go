package seccomp

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// seccompData is one struct seccomp_data as the kernel hands it to a filter.
type seccompData struct {
	nr   uint32
	arch uint32
	ip   uint64
	args [6]uint64
}

// bytes lays d out for x/net/bpf's VM. The VM loads words big-endian (as
// socket filters read packets); the kernel loads seccomp_data words in
// native order. So each 32-bit word is written big-endian at the offset
// the kernel has it: the VM then loads the same value the kernel would on
// a little-endian machine, where a 64-bit field's low word comes first.
func (d seccompData) bytes() []byte {
	b := make([]byte, 64)
	put := func(off int, v uint64) {
		binary.BigEndian.PutUint32(b[off:], uint32(v))
		binary.BigEndian.PutUint32(b[off+4:], uint32(v>>32))
	}
	binary.BigEndian.PutUint32(b[0:], d.nr)
	binary.BigEndian.PutUint32(b[4:], d.arch)
	put(8, d.ip)
	for i, a := range d.args {
		put(16+8*i, a)
	}
	return b
}

// newVM loads a compiled program into x/net/bpf's VM, which also checks
// that every jump lands inside the program.
func newVM(t testing.TB, insns []unix.SockFilter) *bpf.VM {
	t.Helper()
	raw := make([]bpf.RawInstruction, len(insns))
	for i, in := range insns {
		raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	prog, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatal("program has instructions the VM cannot decode")
	}
	if _, last := prog[len(prog)-1].(bpf.RetConstant); !last {
		t.Fatalf("program ends in %v, not a return", prog[len(prog)-1])
	}
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatalf("load program into VM: %v", err)
	}
	return vm
}

func runVM(t testing.TB, vm *bpf.VM, d seccompData) uint32 {
	t.Helper()
	out, err := vm.Run(d.bytes())
	if err != nil {
		t.Fatalf("run program: %v", err)
	}
	return uint32(out)
}

const (
	retAllow   = unix.SECCOMP_RET_ALLOW
	retKillPro = unix.SECCOMP_RET_KILL_PROCESS
	retEPERM   = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	retENOSYS  = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)

func retErrno(e unix.Errno) uint32 { return unix.SECCOMP_RET_ERRNO | uint32(e) }

// audit values and numbers used across tests.
const (
	archX86_64  = unix.AUDIT_ARCH_X86_64
	archI386    = unix.AUDIT_ARCH_I386
	archAARCH64 = unix.AUDIT_ARCH_AARCH64
	archARM     = unix.AUDIT_ARCH_ARM
)

// nrOf is name's number on the ABI of column col; the test fails if the
// table does not have it.
func nrOf(t testing.TB, name string, col int) uint32 {
	t.Helper()
	n := lookup(name)
	if n == nil || n[col] < 0 {
		t.Fatalf("no %s in column %d of the syscall table", name, col)
	}
	return uint32(n[col])
}
