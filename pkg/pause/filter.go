package pause

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// FilterEnv, set in pause's environment, says that the monitor sends pause
// a seccomp program on its lifeline (only when pause stays, as PID 1 of a
// shared PID namespace): SendFilter's message, read before pause reports.
const FilterEnv = "MINIPOD_PAUSE_FILTER"

// maxFilter bounds the program: the kernel takes at most 4096
// instructions of 8 bytes, after a 4-byte header.
const maxFilter = 4 + 8*4096

// SendFilter writes prog, encoded as package seccomp's MarshalBinary
// encodes it, to pause's lifeline: its length (4 bytes, little-endian),
// then the program. An empty prog tells pause there is none to be had,
// and pause fails its start.
func SendFilter(lifeline io.Writer, prog []byte) error {
	msg := binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(prog)), uint32(len(prog)))
	if _, err := lifeline.Write(append(msg, prog...)); err != nil {
		return fmt.Errorf("send pause its seccomp program: %w", err)
	}
	return nil
}

// loadFilter puts every thread of pause under the seccomp program the
// monitor sends, if it sends one. A container that can trace pause (given
// SYS_PTRACE, with the PID namespace shared) could otherwise make it call
// what the container's own filter denies. Loaded while pause still holds
// CAP_SYS_ADMIN, which a filter without no_new_privs needs.
func loadFilter(lifeline *os.File) error {
	if os.Getenv(FilterEnv) == "" {
		return nil
	}
	var size [4]byte
	if _, err := io.ReadFull(lifeline, size[:]); err != nil {
		return fmt.Errorf("read seccomp program: %w", err)
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n > maxFilter {
		return fmt.Errorf("seccomp program of %d bytes", n)
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(lifeline, data); err != nil {
		return fmt.Errorf("read seccomp program: %w", err)
	}
	insns, flags, err := decodeFilter(data)
	if err != nil {
		return err
	}
	prog := unix.SockFprog{Len: uint16(len(insns)), Filter: &insns[0]}
	tid, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags|unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog)))
	if errno != 0 {
		return fmt.Errorf("load seccomp program: %w", errno)
	}
	if tid != 0 { // with TSYNC: a thread that could not take the filter
		return fmt.Errorf("load seccomp program: thread %d cannot take it", tid)
	}
	return nil
}

// decodeFilter reads the header's load flags (4 bytes) and the
// instructions (8 bytes each), little-endian. Not package seccomp's
// decoder: that package links moby's profiles, and pause imports next to
// nothing; the kernel checks the program itself, which comes from pause's
// own monitor.
func decodeFilter(b []byte) ([]unix.SockFilter, uintptr, error) {
	if len(b) < 4+8 || len(b) > maxFilter || (len(b)-4)%8 != 0 {
		return nil, 0, fmt.Errorf("seccomp program of %d bytes", len(b))
	}
	flags := uintptr(binary.LittleEndian.Uint32(b))
	if flags&^(unix.SECCOMP_FILTER_FLAG_LOG|unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW) != 0 {
		return nil, 0, fmt.Errorf("seccomp program flags %#x", flags)
	}
	insns := make([]unix.SockFilter, (len(b)-4)/8)
	for i := range insns {
		o := b[4+8*i:]
		insns[i] = unix.SockFilter{Code: binary.LittleEndian.Uint16(o), Jt: o[2], Jf: o[3], K: binary.LittleEndian.Uint32(o[4:])}
	}
	return insns, flags, nil
}
