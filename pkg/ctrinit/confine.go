package ctrinit

import (
	"fmt"

	"github.com/minipod/minipod/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Confine applies to the calling thread, which is locked and never handed
// back, what the container's process description (its config.json) says
// must hold before any of the container's paths is looked up and before
// its command runs. Start (through init) and Exec both use it, so every
// protection applies to both by construction. The order keeps each step
// possible:
//
//  1. a fresh session keyring, while keyctl is still allowed;
//  2. the bounding set, so nothing exec'd can ever regain a capability;
//  3. no_new_privs, when the description asks for it;
//  4. the seccomp filter, while CAP_SYS_ADMIN is still held (the kernel
//     requires it to load a filter without no_new_privs); with
//     no_new_privs the caller may load it later instead (late = true);
//  5. the user, groups first, while CAP_SETUID and CAP_SETGID are still
//     held (a container may drop them) and keeping the permitted set
//     across the change of uid, as runc does;
//  6. the effective, permitted and inheritable sets: from here on the
//     thread is as privileged as the container and no more;
//  7. the working directory, entered as the container's user with its
//     capabilities and checked to be inside the root.
func Confine(p *specs.Process, filter *seccomp.Program, late bool) error {
	if err := newSessionKeyring(); err != nil {
		return err
	}
	if p.Capabilities == nil {
		return fmt.Errorf("process has no capabilities section")
	}
	keep, err := capSet(p.Capabilities.Bounding)
	if err != nil {
		return err
	}
	if err := dropBounding(keep); err != nil {
		return err
	}
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
	}
	if filter != nil && !late {
		if err := filter.Load(); err != nil {
			return err
		}
	}
	if err := switchUser(p.User); err != nil {
		return err
	}
	// The change of uid reset the process's dumpable flag to
	// fs.suid_dumpable: where that is 1, the container's processes of the
	// same uid could trace this one before its filter is loaded.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("make the process undumpable: %w", err)
	}
	if err := setCaps(p.Capabilities); err != nil {
		return err
	}
	return enterCwd(p.Cwd)
}
