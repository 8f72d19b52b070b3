#include "textflag.h"

// userNSEntry is minipod-init's ELF entry point (the build links it with
// -E main.userNSEntry). It runs before Go's runtime, while the process is
// still single-threaded, which setns(2) into a user or mount namespace
// requires and no Go code can ever be again. Only for argv[1] == "enter"
// (ctrinit.EnterRole) does it act:
//
//  1. prctl(PR_SET_DUMPABLE, 0): from here on the process is the host's
//     root in the container's namespaces, and nothing there may trace it
//     or open its /proc files;
//  2. setns(6, CLONE_NEWNS): an exec'd command's mount namespace, joined
//     here so that no path inside the container is ever resolved with the
//     host's privilege (the result goes to mountResult; -EBADF when init,
//     already in it, hands no fd 6);
//  3. setns(4, CLONE_NEWUSER), then setresgid and setresuid to 0 in there:
//     the namespace's root, no longer the host's, keeping its capabilities.
//
// Results: enterResult is 2 when 3 succeeded, -errno of the step that
// failed, 1 when not asked, 0 (the zero value) when the entry never ran (a
// build without -E). Then it continues at the runtime's own entry, stack
// untouched.
TEXT ·userNSEntry(SB),NOSPLIT|NOFRAME,$0
	MOVQ	$1, enterResult<>(SB)
	MOVQ	0(SP), AX		// argc
	CMPQ	AX, $2
	JLT	run
	MOVQ	16(SP), SI		// argv[1]
	LEAQ	enterRole<>(SB), DI
compare:
	MOVB	(SI), AX
	MOVB	(DI), BX
	CMPB	AX, BX
	JNE	run
	TESTB	AX, AX
	JEQ	enter
	INCQ	SI
	INCQ	DI
	JMP	compare
enter:
	MOVQ	$157, AX		// SYS_prctl
	MOVQ	$4, DI			// PR_SET_DUMPABLE
	MOVQ	$0, SI
	SYSCALL
	TESTQ	AX, AX
	JNE	store
	MOVQ	$308, AX		// SYS_setns
	MOVQ	$6, DI
	MOVQ	$0x20000, SI		// CLONE_NEWNS
	SYSCALL
	MOVQ	AX, mountResult<>(SB)
	MOVQ	$308, AX		// SYS_setns
	MOVQ	$4, DI
	MOVQ	$0x10000000, SI		// CLONE_NEWUSER
	SYSCALL
	TESTQ	AX, AX
	JNE	store
	MOVQ	$119, AX		// SYS_setresgid
	MOVQ	$0, DI
	MOVQ	$0, SI
	MOVQ	$0, DX
	SYSCALL
	TESTQ	AX, AX
	JNE	store
	MOVQ	$117, AX		// SYS_setresuid
	MOVQ	$0, DI
	MOVQ	$0, SI
	MOVQ	$0, DX
	SYSCALL
	TESTQ	AX, AX
	JNE	store
	MOVQ	$2, AX
store:
	MOVQ	AX, enterResult<>(SB)
run:
	MOVQ	$0, DX			// no atexit function (a static program)
	JMP	_rt0_amd64_linux(SB)

DATA enterRole<>+0(SB)/8, $"enter\x00\x00\x00"
GLOBL enterRole<>(SB), RODATA, $8

GLOBL enterResult<>(SB), NOPTR, $8
GLOBL mountResult<>(SB), NOPTR, $8

// entryResult returns enterResult and mountResult.
TEXT ·entryResult(SB),NOSPLIT,$0-16
	MOVQ	enterResult<>(SB), AX
	MOVQ	AX, user+0(FP)
	MOVQ	mountResult<>(SB), AX
	MOVQ	AX, mount+8(FP)
	RET
