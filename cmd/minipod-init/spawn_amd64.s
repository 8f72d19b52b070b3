#include "textflag.h"

// spawnEntry is the entry point's second role (argv[1] == "spawn", argv[2]
// the command's path, argv[3:] its arguments, the environment its own):
// the last step of an exec'd command in a container whose processes may
// trace it (ctrinit.Enter, for a handoff with Spawn). Enter, in the host's
// PID namespace where nothing in the container can see it, joined the
// container's PID namespace for its children and became the container's
// process (user, capabilities, filter), then exec'd this: a fresh image
// that holds nothing of the monitor and nothing but stdio and the status
// pipe. Before Go's runtime, single-threaded, it forks the command with a
// plain fork (no memory shared) into the container's PID namespace, as a
// child of its own parent (CLONE_PARENT: the monitor, which reaps it,
// signals it and reads its exit status as any exec'd command's), reports
// the command's PID on fd 3 (a zero byte, then 4 bytes little-endian) and
// exits. What the container can see is, from its birth, as confined as
// the command, not dumpable, and a copy of this image.
//
// The command waits for that report to be written (the end of a socket
// pair it shares with this process reaches EOF when this one exits), so
// that nothing it writes on fd 3 can come first; then it takes a session
// of its own, the terminal on fd 0 as its controlling one if it is one,
// and execs. A failed exec is reported on fd 3 after the PID: its errno
// in one byte, then the message (ctrinit.SpawnFailure reads them), exit
// code 127.
TEXT ·spawnEntry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	0(SP), AX		// argc
	CMPQ	AX, $4			// minipod spawn PATH ARGV0 ...
	JLT	spawnUsage
	MOVQ	$14, AX			// SYS_rt_sigprocmask
	MOVQ	$2, DI			// SIG_SETMASK: none blocked, for the command too
	LEAQ	noSignals<>(SB), SI
	MOVQ	$0, DX
	MOVQ	$8, R10
	SYSCALL
	MOVQ	$157, AX		// SYS_prctl: the child inherits it, until its exec
	MOVQ	$4, DI			// PR_SET_DUMPABLE
	MOVQ	$0, SI
	SYSCALL
	MOVQ	$53, AX			// SYS_socketpair
	MOVQ	$1, DI			// AF_UNIX
	MOVQ	$0x80001, SI		// SOCK_STREAM|SOCK_CLOEXEC
	MOVQ	$0, DX
	LEAQ	pair<>(SB), R10
	SYSCALL
	TESTQ	AX, AX
	JNE	forkFailed
	MOVQ	$56, AX			// SYS_clone
	MOVQ	$0x8011, DI		// CLONE_PARENT|SIGCHLD: a plain fork, the monitor's child
	MOVQ	$0, SI
	MOVQ	$0, DX
	MOVQ	$0, R10
	MOVQ	$0, R8
	SYSCALL
	TESTQ	AX, AX
	JEQ	command
	JLT	forkFailed
	MOVL	AX, record<>+1(SB)	// after the zero byte
	MOVQ	$1, AX			// SYS_write
	MOVQ	$3, DI
	LEAQ	record<>(SB), SI
	MOVQ	$5, DX
	SYSCALL
	MOVQ	$0, DI			// the exit closes our end of the pair: the command goes on
exit:
	MOVQ	$231, AX		// SYS_exit_group
	SYSCALL
	JMP	exit			// not reached

command:
	MOVQ	$3, AX			// SYS_close: the reporter's end
	MOVL	pair<>+0(SB), DI
	SYSCALL
await:
	MOVQ	$0, AX			// SYS_read: EOF once the report is out
	MOVL	pair<>+4(SB), DI
	LEAQ	scratch<>(SB), SI
	MOVQ	$1, DX
	SYSCALL
	CMPQ	AX, $-4			// -EINTR
	JEQ	await
	MOVQ	$3, AX			// SYS_close
	MOVL	pair<>+4(SB), DI
	SYSCALL
	MOVQ	$112, AX		// SYS_setsid
	SYSCALL
	MOVQ	$16, AX			// SYS_ioctl: fails but on a terminal, harmlessly
	MOVQ	$0, DI
	MOVQ	$0x540e, SI		// TIOCSCTTY
	MOVQ	$0, DX
	SYSCALL
	MOVQ	$72, AX			// SYS_fcntl: the status pipe ends with the exec
	MOVQ	$3, DI
	MOVQ	$2, SI			// F_SETFD
	MOVQ	$1, DX			// FD_CLOEXEC
	SYSCALL
	MOVQ	0(SP), DX		// argc
	LEAQ	16(SP)(DX*8), DX	// envp, past argv's NULL
	MOVQ	24(SP), DI		// argv[2]: the path
	LEAQ	32(SP), SI		// argv[3:]: the command's argv
	MOVQ	$59, AX			// SYS_execve
	SYSCALL
	NEGQ	AX
	MOVB	AX, execErrno<>(SB)	// why, one byte ahead of the message
	MOVQ	$1, AX			// SYS_write
	MOVQ	$3, DI
	LEAQ	execErrno<>(SB), SI
	MOVQ	$1, DX
	SYSCALL
	LEAQ	failExec<>(SB), R12
	MOVQ	$127, R13
	JMP	report
forkFailed:
	LEAQ	failFork<>(SB), R12
	MOVQ	$1, R13
	JMP	report
spawnUsage:
	LEAQ	failUsage<>(SB), R12
	MOVQ	$2, R13
report:
	JMP	·report(SB)		// entry_amd64.s

DATA noSignals<>+0(SB)/8, $0
GLOBL noSignals<>(SB), RODATA, $8
GLOBL pair<>(SB), NOPTR, $8
GLOBL record<>(SB), NOPTR, $8
GLOBL scratch<>(SB), NOPTR, $8
GLOBL execErrno<>(SB), NOPTR, $8

DATA failExec<>+0(SB)/8, $"\x1espawn: "
DATA failExec<>+8(SB)/8, $"exec the"
DATA failExec<>+16(SB)/8, $" command"
DATA failExec<>+24(SB)/8, $" failed\x00"
GLOBL failExec<>(SB), RODATA, $32

DATA failFork<>+0(SB)/8, $"\x1espawn: "
DATA failFork<>+8(SB)/8, $"fork the"
DATA failFork<>+16(SB)/8, $" command"
DATA failFork<>+24(SB)/8, $" failed\x00"
GLOBL failFork<>(SB), RODATA, $32

DATA failUsage<>+0(SB)/8, $"\x18spawn: "
DATA failUsage<>+8(SB)/8, $"no comma"
DATA failUsage<>+16(SB)/8, $"nd to ru"
DATA failUsage<>+24(SB)/8, $"n\x00\x00\x00\x00\x00\x00\x00"
GLOBL failUsage<>(SB), RODATA, $32
