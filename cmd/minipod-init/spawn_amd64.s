#include "textflag.h"

// spawn is the entry point's second role (argv[1] == "spawn", argv[2]
// the command's path, argv[3:] its arguments, the environment its own):
// the last step of an exec'd command in a container whose processes may
// trace it (ctrinit.Enter, for a handoff with Spawn). Enter, in the host's
// PID namespace where nothing in the container can see it, joined the
// container's PID namespace for its children and became the container's
// process (user, capabilities, filter), then exec'd this: a fresh image
// that holds nothing of the monitor and nothing but stdio and the status
// pipe. Before Go's runtime, single-threaded, it forks the command with a
// plain fork (no memory shared) into the container's PID namespace, and
// waits for it. What the container can see and trace is, from its birth,
// a process as confined as the command and a copy of this image.
//
// The waiter stays behind as the exec's process: the monitor's exec
// session waits for its PID. It ignores the terminal's and job control's
// signals, which reach the command (same session and process group), and
// ends as the command ended: with its exit code, or killed by the same
// signal (its core dumps off). The command dies with it (parent-death
// signal), so a monitor that kills the exec kills the command. An exec
// that fails is reported on fd 3 as Enter's failures are, exit code 127.
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
	LEAQ	ignoreAct<>(SB), SI
	CALL	·dispositions(SB)
	MOVQ	$39, AX			// SYS_getpid, for the command's check below
	SYSCALL
	MOVQ	AX, R14
	MOVQ	$56, AX			// SYS_clone
	MOVQ	$17, DI			// SIGCHLD alone: a plain fork
	MOVQ	$0, SI
	MOVQ	$0, DX
	MOVQ	$0, R10
	MOVQ	$0, R8
	SYSCALL
	TESTQ	AX, AX
	JEQ	command
	JLT	forkFailed
	MOVQ	AX, R13			// the command's PID
	MOVQ	$0, BX
closeAll:				// stdio and status are the command's now
	MOVQ	$3, AX			// SYS_close
	MOVQ	BX, DI
	SYSCALL
	INCQ	BX
	CMPQ	BX, $4
	JLT	closeAll
	MOVQ	$302, AX		// SYS_prlimit64: no core of the waiter
	MOVQ	$0, DI
	MOVQ	$4, SI			// RLIMIT_CORE
	LEAQ	noCore<>(SB), DX
	MOVQ	$0, R10
	SYSCALL
wait:
	MOVQ	$61, AX			// SYS_wait4
	MOVQ	R13, DI
	LEAQ	waitStatus<>(SB), SI
	MOVQ	$0, DX
	MOVQ	$0, R10
	SYSCALL
	CMPQ	AX, $-4			// -EINTR
	JEQ	wait
	CMPQ	AX, R13
	JNE	lost
	MOVL	waitStatus<>(SB), AX
	MOVL	AX, BX
	ANDL	$0x7f, BX
	JNE	signaled
	SHRL	$8, AX
	ANDL	$0xff, AX
	MOVQ	AX, DI
	JMP	exit
signaled:
	MOVQ	BX, R14
	MOVQ	$13, AX			// SYS_rt_sigaction: the default action
	MOVQ	R14, DI
	LEAQ	defaultAct<>(SB), SI
	MOVQ	$0, DX
	MOVQ	$8, R10
	SYSCALL
	MOVQ	$39, AX			// SYS_getpid
	SYSCALL
	MOVQ	AX, DI
	MOVQ	$62, AX			// SYS_kill
	MOVQ	R14, SI
	SYSCALL
	MOVQ	R14, DI			// still here: the shell's 128+signal
	ADDQ	$128, DI
	JMP	exit
lost:
	MOVQ	$1, DI
exit:
	MOVQ	$231, AX		// SYS_exit_group
	SYSCALL
	JMP	exit			// not reached

command:
	LEAQ	defaultAct<>(SB), SI
	CALL	·dispositions(SB)
	MOVQ	$157, AX		// SYS_prctl
	MOVQ	$1, DI			// PR_SET_PDEATHSIG
	MOVQ	$9, SI			// SIGKILL
	SYSCALL
	// Its parent is the waiter while getppid says 0 (the waiter is
	// outside this PID namespace) or the waiter's PID (run where it is
	// not, by hand); else the waiter died before the prctl.
	MOVQ	$110, AX		// SYS_getppid
	SYSCALL
	TESTQ	AX, AX
	JEQ	parentAlive
	CMPQ	AX, R14
	JNE	orphaned
parentAlive:
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
	LEAQ	failExec<>(SB), R12
	MOVQ	$127, R13
	JMP	report
orphaned:
	MOVQ	$1, DI
	JMP	exit
forkFailed:
	LEAQ	failFork<>(SB), R12
	MOVQ	$1, R13
	JMP	report
spawnUsage:
	LEAQ	failUsage<>(SB), R12
	MOVQ	$2, R13
report:
	// R12: a length byte then the text; R13: the exit code.
	MOVQ	$1, AX			// SYS_write
	MOVQ	$3, DI
	LEAQ	1(R12), SI
	MOVBQZX	(R12), DX
	SYSCALL
	MOVQ	R13, DI
	JMP	exit

// dispositions sets the action at SI for the signals of the terminal
// and of job control: SIGHUP, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU.
TEXT ·dispositions(SB),NOSPLIT|NOFRAME,$0
	LEAQ	jobSignals<>(SB), R9
next:
	MOVBQZX	(R9), DI
	TESTQ	DI, DI
	JEQ	done
	MOVQ	$13, AX			// SYS_rt_sigaction
	MOVQ	$0, DX
	MOVQ	$8, R10
	SYSCALL				// keeps SI
	INCQ	R9
	JMP	next
done:
	RET

DATA jobSignals<>+0(SB)/8, $"\x01\x02\x03\x14\x15\x16\x00\x00"
GLOBL jobSignals<>(SB), RODATA, $8

// Kernel sigactions: handler, flags, restorer, mask.
DATA ignoreAct<>+0(SB)/8, $1		// SIG_IGN
DATA ignoreAct<>+8(SB)/8, $0
DATA ignoreAct<>+16(SB)/8, $0
DATA ignoreAct<>+24(SB)/8, $0
GLOBL ignoreAct<>(SB), RODATA, $32
DATA defaultAct<>+0(SB)/8, $0		// SIG_DFL
DATA defaultAct<>+8(SB)/8, $0
DATA defaultAct<>+16(SB)/8, $0
DATA defaultAct<>+24(SB)/8, $0
GLOBL defaultAct<>(SB), RODATA, $32
DATA noSignals<>+0(SB)/8, $0
GLOBL noSignals<>(SB), RODATA, $8
DATA noCore<>+0(SB)/8, $0
DATA noCore<>+8(SB)/8, $0
GLOBL noCore<>(SB), RODATA, $16
GLOBL waitStatus<>(SB), NOPTR, $8

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
