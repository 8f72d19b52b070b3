package monitor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// Waiting, in place of the pod's name, starts a monitor before its pod is
// known: `up` starts it first and reads and checks the manifest while the
// new process starts (Go's runtime and package initialisation are ~2 ms
// of CPU here, which then run on the other core). The pod comes on the
// socket at lockFd (HandOver); if `up` gives up, the socket's EOF ends
// the monitor before it did anything.
const Waiting = "-"

// WaitingArg is the argument that starts a waiting monitor: Waiting and
// room for the pod's name and flag. Once it has them the monitor writes
// its title over its arguments (retitle), so that ps, pgrep and
// /proc/PID/cmdline name the pod as they always did ("monitor POD").
// Pointing the kernel at another argument area (PR_SET_MM) needs
// CAP_SYS_RESOURCE, which root lacks on some machines.
var WaitingArg = Waiting + strings.Repeat(" ", titleRoom)

// titleRoom holds the longest name (253) and the flag.
const titleRoom = 253 + 1 + len(NoWaitReady)

// handOverMax bounds the hand-over message: a pod's name (at most 253
// bytes) and a flag.
const handOverMax = 512

// HandOver gives a waiting monitor its pod through sock: the name,
// whether to report before the containers are ready, the pod's lock and
// the monitor's log (passed as descriptors, so the lock is never
// released between `up` and the monitor).
func HandOver(sock *os.File, name string, noWaitReady bool, lock, log *os.File) error {
	msg := name + "\n"
	if noWaitReady {
		msg += NoWaitReady
	}
	rights := unix.UnixRights(int(lock.Fd()), int(log.Fd()))
	if err := unix.Sendmsg(int(sock.Fd()), []byte(msg), rights, nil, unix.MSG_NOSIGNAL); err != nil {
		return fmt.Errorf("hand the pod to its monitor: %w", err)
	}
	return nil
}

// awaitPod waits for `up` to hand over the pod and returns the monitor's
// arguments, with the pod's lock at lockFd and the log on stdout and
// stderr as `up` would have placed them. ok is false when `up` closed the
// socket without a pod.
func awaitPod() (args []string, ok bool, err error) {
	buf := make([]byte, handOverMax)
	oob := make([]byte, unix.CmsgSpace(2*4))
	n, oobn, flags, _, err := unix.Recvmsg(lockFd, buf, oob, unix.MSG_CMSG_CLOEXEC)
	for errors.Is(err, unix.EINTR) {
		n, oobn, flags, _, err = unix.Recvmsg(lockFd, buf, oob, unix.MSG_CMSG_CLOEXEC)
	}
	if err != nil {
		return nil, false, fmt.Errorf("receive the pod: %w", err)
	}
	fds, err := receivedFds(oob[:oobn])
	if err != nil {
		return nil, false, err
	}
	if n == 0 && len(fds) == 0 {
		return nil, false, nil
	}
	if len(fds) != 2 {
		closeAll(fds)
		return nil, false, fmt.Errorf("receive the pod: %d descriptors, want the lock and the log", len(fds))
	}
	// The log first, so that what goes wrong from here is in it.
	for _, to := range []int{1, 2} {
		if err := unix.Dup3(fds[1], to, 0); err != nil {
			closeAll(fds)
			return nil, false, fmt.Errorf("receive the pod: log: %w", err)
		}
	}
	unix.Close(fds[1])
	if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 {
		unix.Close(fds[0])
		return nil, false, fmt.Errorf("receive the pod: message cut short")
	}
	args, err = handOverArgs(buf[:n])
	if err != nil {
		unix.Close(fds[0])
		return nil, false, err
	}
	// The socket's place becomes the lock's, where adoptLock looks.
	if err := place(fds[0], lockFd); err != nil {
		return nil, false, err
	}
	return args, true, nil
}

// handOverArgs parses "NAME\n[--no-wait-ready]".
func handOverArgs(msg []byte) ([]string, error) {
	name, flag, found := bytes.Cut(msg, []byte("\n"))
	// The name becomes paths under the run and data roots: the same check
	// as every command's.
	if !found || state.ValidName(string(name)) != nil {
		return nil, fmt.Errorf("receive the pod: malformed hand-over %q", msg)
	}
	args := []string{string(name)}
	switch string(flag) {
	case "":
	case NoWaitReady:
		args = append(args, NoWaitReady)
	default:
		return nil, fmt.Errorf("receive the pod: unknown flag %q", flag)
	}
	return args, nil
}

func receivedFds(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, fmt.Errorf("receive the pod: %w", err)
	}
	var fds []int
	for _, m := range msgs {
		got, err := unix.ParseUnixRights(&m)
		if err != nil {
			closeAll(fds)
			return nil, fmt.Errorf("receive the pod: %w", err)
		}
		fds = append(fds, got...)
	}
	return fds, nil
}

// place moves fd to the number to, closing what was there.
func place(fd, to int) error {
	if fd == to {
		return nil
	}
	err := unix.Dup3(fd, to, unix.O_CLOEXEC)
	unix.Close(fd)
	if err != nil {
		return fmt.Errorf("receive the pod: lock: %w", err)
	}
	return nil
}

func closeAll(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}

// waitForPod turns `minipod monitor -` into `minipod monitor POD`, or
// ends the process quietly when `up` gave up.
func waitForPod(args []string) []string {
	if len(args) != 1 || strings.TrimRight(args[0], " ") != Waiting {
		return args
	}
	got, ok, err := awaitPod()
	if err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(0)
	}
	retitle(os.Args, strings.Join(append([]string{os.Args[0], Role}, got...), " "))
	os.Args = append([]string{os.Args[0], Role}, got...)
	return got
}

// retitle writes title over the process's argument area, where the
// kernel keeps argv and the runtime's os.Args strings point (they are
// not read again), as setproctitle(3) does: the title, its NUL, and no
// NUL at the area's end, which tells the kernel to show the title alone
// (as one argument) rather than the whole area. An area that is not
// where os.Args says, one piece after the other, is left alone.
func retitle(args []string, title string) {
	if len(args) == 0 {
		return
	}
	start := unsafe.Pointer(unsafe.StringData(args[0]))
	size := 0
	for _, a := range args {
		if unsafe.Pointer(unsafe.StringData(a)) != unsafe.Add(start, size) {
			return
		}
		size += len(a) + 1
	}
	if len(title)+2 > size {
		return
	}
	area := unsafe.Slice((*byte)(start), size)
	copy(area, title)
	area[len(title)] = 0
	for i := len(title) + 1; i < size; i++ {
		area[i] = ' '
	}
}
