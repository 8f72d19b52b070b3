#include "textflag.h"

// userNSEntry is minipod-init's ELF entry point (the build links it with
// -E main.userNSEntry). It runs before Go's runtime, while the process is
// still single-threaded, which setns(2) into a user or mount namespace
// requires and no Go code can ever be again. For argv[1] == "spawn"
// (ctrinit.SpawnRole) it forks the command (spawn_amd64.s); only for
// argv[1] == "enter" (ctrinit.EnterRole) does it act as follows:
//
//  1. prctl(PR_SET_DUMPABLE, 0): from here on the process is the host's
//     root in the container's namespaces, and nothing there may trace it
//     or open its /proc files;
//  2. setns(6, CLONE_NEWNS): an exec'd command's mount namespace, joined
//     here so that no path inside the container is ever resolved with the
//     host's privilege (the result goes to mountResult; -EBADF when init,
//     already in it, hands no fd 6);
//  3. setns(4, CLONE_NEWUSER), then setresgid and setresuid to 0 in there:
//     the namespace's root, no longer the host's, keeping its capabilities
//     (the result goes to userResult; -EBADF, with no fd 4, skips to step
//     4: the command of a pod in the host's user namespace, confined in a
//     process of its own because its seccomp profile may not be loaded on
//     a thread of the monitor);
//  4. prctl(PR_SET_DUMPABLE, 0) again: the change of uid reset it to
//     fs.suid_dumpable, which may be 1, and the process is not yet
//     confined (no filter, every capability of the namespace).
//
// A step that fails ends the process at once, with a message on fd 3
// (the status pipe Enter reports on): Go's runtime must not start half
// joined, e.g. as the host's root in the container's mount namespace.
// The failures let through are -EBADF from steps 2 and 3, when there is
// no fd 6 or 4; Enter checks those against what it was asked to do.
//
// Results: enterResult is 2 when every step succeeded, 1 when not asked,
// 0 (the zero value) when the entry never ran (a build without -E). Then
// it continues at the runtime's own entry, stack untouched.
TEXT ·userNSEntry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$1, enterResult<>(SB)
	MOVQ	0(SP), AX		// argc
	CMPQ	AX, $2
	JLT	run
	MOVQ	16(SP), SI		// argv[1]
	LEAQ	enterRole<>(SB), DI
	CALL	·isRole(SB)
	TESTQ	AX, AX
	JNE	enter
	MOVQ	16(SP), SI
	LEAQ	spawnRole<>(SB), DI
	CALL	·isRole(SB)
	TESTQ	AX, AX
	JNE	spawn
	JMP	run
enter:
	LEAQ	failDumpable<>(SB), R12
	MOVQ	$157, AX		// SYS_prctl
	MOVQ	$4, DI			// PR_SET_DUMPABLE
	MOVQ	$0, SI
	SYSCALL
	TESTQ	AX, AX
	JNE	fail
	LEAQ	failMount<>(SB), R12
	MOVQ	$308, AX		// SYS_setns
	MOVQ	$6, DI
	MOVQ	$0x20000, SI		// CLONE_NEWNS
	SYSCALL
	MOVQ	AX, mountResult<>(SB)
	CMPQ	AX, $-9			// -EBADF: no fd 6 (init)
	JEQ	user
	TESTQ	AX, AX
	JNE	fail
user:
	LEAQ	failUser<>(SB), R12
	MOVQ	$308, AX		// SYS_setns
	MOVQ	$4, DI
	MOVQ	$0x10000000, SI		// CLONE_NEWUSER
	SYSCALL
	MOVQ	AX, userResult<>(SB)
	CMPQ	AX, $-9			// -EBADF: no fd 4 (a pod in the host's user namespace)
	JEQ	confined
	TESTQ	AX, AX
	JNE	fail
	LEAQ	failRoot<>(SB), R12
	MOVQ	$119, AX		// SYS_setresgid
	MOVQ	$0, DI
	MOVQ	$0, SI
	MOVQ	$0, DX
	SYSCALL
	TESTQ	AX, AX
	JNE	fail
	MOVQ	$117, AX		// SYS_setresuid
	MOVQ	$0, DI
	MOVQ	$0, SI
	MOVQ	$0, DX
	SYSCALL
	TESTQ	AX, AX
	JNE	fail
confined:
	LEAQ	failDumpable<>(SB), R12
	MOVQ	$157, AX		// SYS_prctl
	MOVQ	$4, DI			// PR_SET_DUMPABLE
	MOVQ	$0, SI
	SYSCALL
	TESTQ	AX, AX
	JNE	fail
	MOVQ	$2, enterResult<>(SB)
run:
	MOVQ	$0, DX			// no atexit function (a static program)
	JMP	_rt0_amd64_linux(SB)
fail:
	MOVQ	$1, R13
	JMP	·report(SB)
spawn:
	JMP	·spawnEntry(SB)		// spawn_amd64.s; never comes back

// isRole sets AX to 1 if the NUL-terminated string at SI is the role at
// DI, else to 0.
TEXT ·isRole(SB),NOSPLIT|NOFRAME,$0
next:
	MOVB	(SI), AX
	MOVB	(DI), BX
	CMPB	AX, BX
	JNE	differ
	TESTB	AX, AX
	JEQ	same
	INCQ	SI
	INCQ	DI
	JMP	next
same:
	MOVQ	$1, AX
	RET
differ:
	MOVQ	$0, AX
	RET

// report ends the process: the message at R12 (a length byte, then the
// text) on fd 3, the status pipe, and exit code R13.
TEXT ·report(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$1, AX			// SYS_write
	MOVQ	$3, DI
	LEAQ	1(R12), SI
	MOVBQZX	(R12), DX
	SYSCALL
	MOVQ	$231, AX		// SYS_exit_group
	MOVQ	R13, DI
end:
	SYSCALL
	MOVQ	$231, AX
	JMP	end			// not reached

DATA enterRole<>+0(SB)/8, $"enter\x00\x00\x00"
GLOBL enterRole<>(SB), RODATA, $8

DATA spawnRole<>+0(SB)/8, $"spawn\x00\x00\x00"
GLOBL spawnRole<>(SB), RODATA, $8

// The failure messages of the steps, each a length byte then the text.
DATA failDumpable<>+0(SB)/8, $")enter: "
DATA failDumpable<>+8(SB)/8, $"make the"
DATA failDumpable<>+16(SB)/8, $" process"
DATA failDumpable<>+24(SB)/8, $" undumpa"
DATA failDumpable<>+32(SB)/8, $"ble fail"
DATA failDumpable<>+40(SB)/8, $"ed\x00\x00\x00\x00\x00\x00"
GLOBL failDumpable<>(SB), RODATA, $48

DATA failMount<>+0(SB)/8, $"2enter: "
DATA failMount<>+8(SB)/8, $"join the"
DATA failMount<>+16(SB)/8, $" contain"
DATA failMount<>+24(SB)/8, $"er\x27s mou"
DATA failMount<>+32(SB)/8, $"nt names"
DATA failMount<>+40(SB)/8, $"pace fai"
DATA failMount<>+48(SB)/8, $"led\x00\x00\x00\x00\x00"
GLOBL failMount<>(SB), RODATA, $56

DATA failUser<>+0(SB)/8, $"+enter: "
DATA failUser<>+8(SB)/8, $"join the"
DATA failUser<>+16(SB)/8, $" pod\x27s u"
DATA failUser<>+24(SB)/8, $"ser name"
DATA failUser<>+32(SB)/8, $"space fa"
DATA failUser<>+40(SB)/8, $"iled\x00\x00\x00\x00"
GLOBL failUser<>(SB), RODATA, $48

DATA failRoot<>+0(SB)/8, $"5enter: "
DATA failRoot<>+8(SB)/8, $"become r"
DATA failRoot<>+16(SB)/8, $"oot of t"
DATA failRoot<>+24(SB)/8, $"he pod\x27s"
DATA failRoot<>+32(SB)/8, $" user na"
DATA failRoot<>+40(SB)/8, $"mespace "
DATA failRoot<>+48(SB)/8, $"failed\x00\x00"
GLOBL failRoot<>(SB), RODATA, $56

GLOBL enterResult<>(SB), NOPTR, $8
GLOBL mountResult<>(SB), NOPTR, $8
GLOBL userResult<>(SB), NOPTR, $8

// entryResult returns enterResult, mountResult and userResult.
TEXT ·entryResult(SB),NOSPLIT,$0-24
	MOVQ	enterResult<>(SB), AX
	MOVQ	AX, user+0(FP)
	MOVQ	mountResult<>(SB), AX
	MOVQ	AX, mount+8(FP)
	MOVQ	userResult<>(SB), AX
	MOVQ	AX, userns+16(FP)
	RET
