package mounts

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// procPIDNS, while Setup builds the root of a container whose init starts
// outside the PID namespace its command will be in (ctrinit's spawned
// init), is that namespace: procfs shows the PID namespace of whoever
// mounts it, and init's own is the host's.
var procPIDNS *os.File

// ErrProcPIDNS: the kernel cannot mount a procfs of another PID namespace
// (its "pidns" parameter came with Linux 6.18).
var ErrProcPIDNS = errors.New("this kernel cannot mount /proc for another PID namespace (Linux 6.18 can)")

// ProcOfOtherPIDNS says whether the kernel takes procfs's "pidns"
// parameter, asked with the caller's own PID namespace.
func ProcOfOtherPIDNS() bool {
	fs, err := unix.Fsopen("proc", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return false
	}
	defer unix.Close(fs)
	own, err := unix.Open("/proc/self/ns/pid", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(own)
	return unix.FsconfigSetFd(fs, "pidns", own) == nil
}

// procOf mounts on dst a procfs of the PID namespace pidns, with the
// mount flags and data of the spec's mount.
func procOf(pidns, dst *os.File, flags uintptr, data string) error {
	m, err := newProc(pidns, flags, data)
	if err != nil {
		return err
	}
	defer unix.Close(m)
	if err := unix.MoveMount(m, "", int(dst.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return fmt.Errorf("mount proc: %w", err)
	}
	return nil
}

// newProc makes a detached mount of a new procfs of pidns.
func newProc(pidns *os.File, flags uintptr, data string) (int, error) {
	fs, err := unix.Fsopen("proc", unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, fmt.Errorf("mount proc: %w", err)
	}
	defer unix.Close(fs)
	if err := unix.FsconfigSetFd(fs, "pidns", int(pidns.Fd())); err != nil {
		if errors.Is(err, unix.EINVAL) {
			return -1, ErrProcPIDNS
		}
		return -1, fmt.Errorf("mount proc of the pod's PID namespace: %w", err)
	}
	for _, o := range strings.Split(data, ",") {
		if err := fsParam(fs, o); err != nil {
			return -1, fmt.Errorf("mount proc: option %q: %w", o, err)
		}
	}
	if err := unix.FsconfigCreate(fs); err != nil {
		return -1, fmt.Errorf("mount proc: %w", err)
	}
	m, err := unix.Fsmount(fs, unix.FSMOUNT_CLOEXEC, mountAttrs(flags))
	if err != nil {
		return -1, fmt.Errorf("mount proc: %w", err)
	}
	return m, nil
}

// fsParam sets one mount(8) data word ("hidepid=2", "subset=pid") on a
// filesystem context.
func fsParam(fs int, word string) error {
	if word == "" {
		return nil
	}
	if k, v, ok := strings.Cut(word, "="); ok {
		return unix.FsconfigSetString(fs, k, v)
	}
	return unix.FsconfigSetFlag(fs, word)
}

// mountAttrs are the MOUNT_ATTR_ flags of fsmount(2) for mount(2) flags.
func mountAttrs(flags uintptr) int {
	attrs := 0
	for f, a := range map[uintptr]int{
		unix.MS_RDONLY: unix.MOUNT_ATTR_RDONLY, unix.MS_NOSUID: unix.MOUNT_ATTR_NOSUID,
		unix.MS_NODEV: unix.MOUNT_ATTR_NODEV, unix.MS_NOEXEC: unix.MOUNT_ATTR_NOEXEC,
		unix.MS_STRICTATIME: unix.MOUNT_ATTR_STRICTATIME,
	} {
		if flags&f != 0 {
			attrs |= a
		}
	}
	return attrs
}
