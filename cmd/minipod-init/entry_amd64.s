#include "textflag.h"

// userNSEntry is minipod-init's ELF entry point (the build links it with
// -E main.userNSEntry). It runs before Go's runtime, while the process is
// still single-threaded, which setns(2) into a user namespace requires and
// no Go code can ever be again. Only for argv[1] == "enter" (ctrinit's
// EnterRole) does it join the user namespace at fd 4 (ctrinit.EnterUserNSFd);
// it leaves the outcome in enterResult (2 joined, -errno failed, 1 not
// asked; 0, the zero value, means the entry never ran: a build without
// -E) and continues at the runtime's own entry, stack untouched.
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
	JEQ	join
	INCQ	SI
	INCQ	DI
	JMP	compare
join:
	MOVQ	$308, AX		// SYS_setns
	MOVQ	$4, DI
	MOVQ	$0x10000000, SI		// CLONE_NEWUSER
	SYSCALL
	TESTQ	AX, AX
	JNE	store
	MOVQ	$2, AX
store:
	MOVQ	AX, enterResult<>(SB)
run:
	JMP	_rt0_amd64_linux(SB)

DATA enterRole<>+0(SB)/8, $"enter\x00\x00\x00"
GLOBL enterRole<>(SB), RODATA, $8

GLOBL enterResult<>(SB), NOPTR, $8

// entryResult returns enterResult.
TEXT ·entryResult(SB),NOSPLIT,$0-8
	MOVQ	enterResult<>(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
