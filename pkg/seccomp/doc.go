// Package seccomp gives every container a seccomp filter: it chooses the
// profile, compiles it to classic BPF in pure Go and loads it.
//
// # Choosing
//
// Choose(kind, localhost, profileRoot, spec) returns the OCI
// linux.seccomp section for a container, nil meaning unconfined. kind is
// securityContext.seccompProfile.type (the container's, else the pod's):
//
//   - RuntimeDefault: the default profile of docker and containerd, from
//     github.com/moby/profiles/seccomp. The spec's bounding capabilities
//     decide its capability-gated groups exactly as there: with
//     CAP_SYS_ADMIN mount, unshare, setns and clone with namespace flags
//     are allowed; without it they get EPERM and clone3 ENOSYS (so libc
//     falls back to clone, whose flags a filter can see).
//   - Unconfined: no filter.
//   - Localhost: a profile in docker's JSON format (what kubelet and
//     containerd accept), at the relative path localhost inside
//     profileRoot (DefaultProfileRoot). The path comes from a manifest:
//     absolute paths and ".." are refused, and the kernel resolves it
//     inside the root (openat2 RESOLVE_IN_ROOT), so no symlink leads out.
//   - "": the node default, NodeDefault: the node setting seccomp-default
//     (pkg/nodeconfig), RuntimeDefault unless set to Unconfined.
//     Kubernetes' own default is Unconfined (kubelet's --seccomp-default
//     changes it); minipod, like docker and podman, defaults to the safe
//     one, and a node that wants Kubernetes' behaviour says so.
//
// # Compiling
//
// Compile(section) builds a Program for this machine's architecture; the
// container's init compiles the section of its config.json. Validate
// makes the same checks without building (Choose runs it on Localhost
// profiles, so a bad one fails at up, not in init). No cgo (the project
// has none): libseccomp is not used, the compiler is here.
//
// The program first dispatches on seccomp_data.arch. On amd64 the ABIs
// are x86_64 (native, always covered), i386 and x32 (each when the
// profile lists SCMP_ARCH_X86 / SCMP_ARCH_X32); on arm64, aarch64 and arm
// (SCMP_ARCH_ARM). x32 shares AUDIT_ARCH_X86_64 and is told apart by bit
// 0x40000000 of the number, which is tested before any comparison, so an
// x32 or i386 number is only ever compared with numbers of its own ABI.
// A call from an ABI the profile does not cover (another audit arch, or
// the x32 bit without SCMP_ARCH_X32) kills the process: the profile's
// rules cannot be applied to numbers it never considered, and a default
// action of allow would let such calls around every rule (the classic
// int $0x80 and x32 escapes). libseccomp also kills by default there.
// nr -1 (syscall(-1), tracers) is not an x32 call; it gets the default.
//
// Each ABI's section is a balanced binary search over syscall numbers:
// the profile's numbers and the gaps between them (default action) form
// intervals, runs of numbers with the same unconditional action merge,
// and a handful of comparisons lead to a leaf. The kernel caches, per
// number, whether a filter allows a call whatever its arguments, so most
// syscalls do not run the filter at all; the rest run about ten
// instructions plus their argument rules. Conditional jumps reach only
// 255 instructions: the program is emitted backwards (seccomp only jumps
// forward), so each jump's distance is known when it is written, and a
// far target gets a JA trampoline. More than the kernel's 4096
// instructions is an error; RuntimeDefault on amd64 is about 420.
//
// Syscall names map to numbers per ABI through a generated table
// (zsyscalls.go, go generate; see internal/mksyscalls). A name missing
// on one ABI is skipped there (chown32 exists only on i386 and arm); a
// name no ABI knows is skipped and listed in Program.Unknown, as runc
// skips names its libseccomp cannot resolve.
//
// Rules, as docker profiles mean them under runc:
//   - Actions: SCMP_ACT_KILL and KILL_THREAD, KILL_PROCESS, TRAP, ERRNO
//     (errnoRet, else EPERM; defaultErrnoRet for the default action),
//     TRACE (errnoRet as the tracer's message), ALLOW, LOG. NOTIFY, its
//     listener and the TSYNC flag are refused: minipod runs no seccomp
//     agent, and the filter is for the container's thread only.
//   - Arguments 0-5, compared unsigned as 64-bit values in two 32-bit
//     halves: NE, LT, LE, EQ, GE, GT and MASKED_EQ ((arg & value) ==
//     valueTwo). On i386 and arm the kernel uses only the low 32 bits of
//     an argument, so the filter compares the low word with the value and
//     takes the high word as zero.
//   - The comparisons of a rule must all hold, except when one argument
//     index appears twice: runc then makes each comparison a rule of its
//     own, and docker's profiles are written for that, so minipod too.
//   - Several rules for one syscall are tried in profile order, and the
//     first that matches decides; otherwise the default action.
//
// A Program encodes to 4 + 8 bytes an instruction (MarshalBinary, about
// 3.4 KB for RuntimeDefault) and decodes with checks (UnmarshalBinary):
// a container's init loads the program its monitor compiled into the
// bundle in microseconds, instead of decoding the profile's JSON and
// compiling it (together 0.3-0.5 ms of every container start).
//
// # Loading
//
// Program.Load installs the filter on the calling OS thread only, with
// no TSYNC: the caller locks its goroutine to the thread and that thread
// then execve's or forks. The filter applies to every syscall the thread
// makes after Load, so it is the last step before execve. Without
// no_new_privs the kernel requires CAP_SYS_ADMIN of the thread, so that
// an unprivileged process cannot filter a setuid program it runs: a
// container that keeps no_new_privs off must load its filter before it
// drops that capability.
package seccomp
