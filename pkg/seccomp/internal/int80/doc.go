// Package int80 makes i386 system calls from a 64-bit process with
// `int $0x80`, so that tests can check what a seccomp filter does with the
// i386 ABI. On a kernel without IA32 emulation the instruction faults
// (SIGSEGV), so callers probe in a child process first. amd64 only.
package int80
