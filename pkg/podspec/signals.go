package podspec

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// linuxSignals are the stop signals the API server accepts for a linux
// pod, with their numbers; SIGRTMIN is 34 as the C library and container
// runtimes count it (the kernel keeps 32 and 33).
var linuxSignals = func() map[string]syscall.Signal {
	m := map[string]syscall.Signal{
		"SIGHUP": 1, "SIGINT": 2, "SIGQUIT": 3, "SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGIOT": 6,
		"SIGBUS": 7, "SIGFPE": 8, "SIGKILL": 9, "SIGUSR1": 10, "SIGSEGV": 11, "SIGUSR2": 12,
		"SIGPIPE": 13, "SIGALRM": 14, "SIGTERM": 15, "SIGSTKFLT": 16, "SIGCHLD": 17, "SIGCLD": 17,
		"SIGCONT": 18, "SIGSTOP": 19, "SIGTSTP": 20, "SIGTTIN": 21, "SIGTTOU": 22, "SIGURG": 23,
		"SIGXCPU": 24, "SIGXFSZ": 25, "SIGVTALRM": 26, "SIGPROF": 27, "SIGWINCH": 28, "SIGIO": 29,
		"SIGPOLL": 29, "SIGPWR": 30, "SIGSYS": 31, "SIGRTMIN": 34, "SIGRTMAX": 64,
	}
	for i := 1; i <= 15; i++ {
		m["SIGRTMIN+"+strconv.Itoa(i)] = syscall.Signal(34 + i)
	}
	for i := 1; i <= 14; i++ {
		m["SIGRTMAX-"+strconv.Itoa(i)] = syscall.Signal(64 - i)
	}
	return m
}()

// signalNames is the sorted list of linuxSignals' names, for errors.
func signalNames() []string { return sortedKeys(linuxSignals) }

// ParseSignal reads a stop signal as a pod (SIGUSR1) or an image config
// (SIGUSR1, USR1 or 10) gives it.
func ParseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n <= 64 {
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig, ok := linuxSignals[name]; ok {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// SignalName is the name the API gives signal sig (SIGTERM for 15).
func SignalName(sig syscall.Signal) string {
	best := ""
	for name, n := range linuxSignals {
		// The first name in order among aliases: SIGABRT, not SIGIOT.
		if n == sig && (best == "" || name < best) {
			best = name
		}
	}
	if best == "" {
		return strconv.Itoa(int(sig))
	}
	return best
}
