package seccomp

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// maxErrno is the largest errno the kernel returns from SECCOMP_RET_ERRNO
// (MAX_ERRNO); a larger one would be clamped silently, so it is refused.
const maxErrno = 4095

// action returns the SECCOMP_RET_* value for a profile action. errnoRet is
// the rule's errnoRet, or the profile's defaultErrnoRet for its default
// action; EPERM when unset, as runc does.
func action(a specs.LinuxSeccompAction, errnoRet *uint) (uint32, error) {
	data := uint32(unix.EPERM)
	if errnoRet != nil {
		if a != specs.ActErrno && a != specs.ActTrace {
			return 0, fmt.Errorf("seccomp action %s: errnoRet is only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE", a)
		}
		if *errnoRet > maxErrno {
			return 0, fmt.Errorf("seccomp action %s: errnoRet %d is above %d", a, *errnoRet, maxErrno)
		}
		data = uint32(*errnoRet)
	}
	switch a {
	case specs.ActKill, specs.ActKillThread:
		return unix.SECCOMP_RET_KILL_THREAD, nil
	case specs.ActKillProcess:
		return unix.SECCOMP_RET_KILL_PROCESS, nil
	case specs.ActTrap:
		return unix.SECCOMP_RET_TRAP, nil
	case specs.ActErrno:
		return unix.SECCOMP_RET_ERRNO | data, nil
	case specs.ActTrace:
		return unix.SECCOMP_RET_TRACE | data, nil
	case specs.ActAllow:
		return unix.SECCOMP_RET_ALLOW, nil
	case specs.ActLog:
		return unix.SECCOMP_RET_LOG, nil
	case specs.ActNotify:
		return 0, errors.New("seccomp action SCMP_ACT_NOTIFY is not supported: minipod runs no seccomp agent")
	case "":
		return 0, errors.New("seccomp action is empty")
	}
	return 0, fmt.Errorf("unknown seccomp action %q", a)
}

// loadFlags returns the seccomp(2) flags for the profile's flags. Only the
// flags that change nothing but logging and speculation are taken: TSYNC
// would reach threads of minipod init that are not the container's, and
// the listener flags belong to SCMP_ACT_NOTIFY.
func loadFlags(flags []specs.LinuxSeccompFlag) (uint, error) {
	var f uint
	for _, fl := range flags {
		switch fl {
		case specs.LinuxSeccompFlagLog:
			f |= unix.SECCOMP_FILTER_FLAG_LOG
		case specs.LinuxSeccompFlagSpecAllow:
			f |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
		default:
			return 0, fmt.Errorf("seccomp flag %q is not supported", fl)
		}
	}
	return f, nil
}
