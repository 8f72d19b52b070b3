//go:build amd64

package main

import (
	"fmt"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// ptraceKeyctl asks the kernel for the session keyring's ID
// (keyctl(KEYCTL_GET_KEYRING_ID), a harmless query that seccomp's default
// profile denies, the keyring not being namespaced) twice: itself, then
// through the process PID, which it traces and makes call keyctl instead
// of the system call it was about to make. A process without a seccomp
// filter of its own answers what the attacker's filter forbids.
func ptraceKeyctl(args []string) error {
	pid, err := strconv.Atoi(args[0])
	if err != nil {
		return fmt.Errorf("bad pid %q", args[0])
	}
	_, _, e := unix.Syscall(unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, uintptr(intMinus3()), 0)
	fmt.Printf("direct: %s\n", answer(0, e))
	r, err := injectKeyctl(pid)
	if err != nil {
		fmt.Printf("via %d: %v\n", pid, err)
		return nil
	}
	fmt.Printf("via %d: %s\n", pid, r)
	return nil
}

// intMinus3 is KEY_SPEC_SESSION_KEYRING as the register holds it.
func intMinus3() int64 { return -3 }

func answer(r uint64, e unix.Errno) string {
	if e != 0 {
		return errno(e)
	}
	return "ok " + strconv.FormatUint(r, 10)
}

// injectKeyctl turns the next system call of pid's main thread into
// keyctl and puts the thread back where it was.
func injectKeyctl(pid int) (string, error) {
	runtime.LockOSThread() // every ptrace request must come from the tracer thread
	if err := unix.PtraceSeize(pid); err != nil {
		return "", fmt.Errorf("seize: %w", err)
	}
	defer unix.PtraceDetach(pid) //nolint:errcheck
	if err := unix.PtraceInterrupt(pid); err != nil {
		return "", fmt.Errorf("interrupt: %w", err)
	}
	if err := waitStop(pid, false); err != nil {
		return "", fmt.Errorf("wait for the interrupt: %w", err)
	}
	// Options take a stopped tracee.
	if err := unix.PtraceSetOptions(pid, unix.PTRACE_O_TRACESYSGOOD); err != nil {
		return "", fmt.Errorf("options: %w", err)
	}
	// On to the entry of its next system call (the one it was blocked in,
	// restarted).
	if err := unix.PtraceSyscall(pid, 0); err != nil {
		return "", fmt.Errorf("resume to a system call: %w", err)
	}
	if err := waitStop(pid, true); err != nil {
		return "", fmt.Errorf("wait for its entry: %w", err)
	}
	var saved, regs unix.PtraceRegs
	if err := unix.PtraceGetRegs(pid, &saved); err != nil {
		return "", fmt.Errorf("read registers: %w", err)
	}
	regs = saved
	regs.Orig_rax = unix.SYS_KEYCTL
	regs.Rdi = unix.KEYCTL_GET_KEYRING_ID
	regs.Rsi = uint64(intMinus3())
	regs.Rdx = 0
	if err := unix.PtraceSetRegs(pid, &regs); err != nil {
		return "", fmt.Errorf("write registers: %w", err)
	}
	if err := unix.PtraceSyscall(pid, 0); err != nil {
		return "", fmt.Errorf("resume into keyctl: %w", err)
	}
	if err := waitStop(pid, true); err != nil {
		return "", fmt.Errorf("wait for its exit: %w", err)
	}
	if err := unix.PtraceGetRegs(pid, &regs); err != nil {
		return "", fmt.Errorf("read keyctl's answer: %w", err)
	}
	got := int64(regs.Rax)
	// Back to the system call instruction, to make the original call.
	saved.Rip -= 2
	saved.Rax = saved.Orig_rax
	if err := unix.PtraceSetRegs(pid, &saved); err != nil {
		return "", fmt.Errorf("restore registers: %w", err)
	}
	if got < 0 && got > -4096 {
		return errno(unix.Errno(-got)), nil
	}
	return "ok " + strconv.FormatInt(got, 10), nil
}

// waitStop waits for pid to stop: at a system call (syscall) or for the
// interrupt; other stops are passed over.
func waitStop(pid int, syscall bool) error {
	for {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
			return err
		}
		if !ws.Stopped() {
			return fmt.Errorf("process %d is gone: %v", pid, ws)
		}
		atSyscall := ws.StopSignal() == unix.SIGTRAP|0x80
		if atSyscall == syscall && (syscall || ws.TrapCause() == unix.PTRACE_EVENT_STOP) {
			return nil
		}
		next := unix.PtraceCont
		if syscall {
			next = unix.PtraceSyscall
		}
		if err := next(pid, 0); err != nil {
			return err
		}
	}
}
