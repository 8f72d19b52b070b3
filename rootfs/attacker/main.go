// Command attack is the toolkit of the minipod-attacker test image: the
// system calls a hostile container makes to try to escape, which busybox
// cannot make. Every subcommand prints what it tried and what the kernel
// answered, one fact per line, so that a test can assert on the outcome.
// It never writes into anything it did not create: write and chmod
// attempts on foreign files open without writing, or set the mode the file
// already has.
//
//	attack caps                       capability sets of this process
//	attack stdio                      what fds 0-2 are, pid and session id
//	attack tiocsti FD|PATH TEXT       push TEXT into a terminal's input
//	attack keyring-read DESCRIPTION   find a "user" key and print its payload
//	attack exe-attack DEV:INO SECS    reach a binary through /proc/PID/exe
//	attack open PATH r|w [BYTES]      open (and read BYTES of) PATH
//	attack lease PATH SECS            make PATH a file whose opening we see
//	attack fifo-watch PATH SECS       make PATH a FIFO whose opening we see
//	attack fds                        list this process's descriptors
//	attack shocker FILE               open the root inode of FILE's file system
//	attack chroot-escape PATH         break out of a chroot, look for PATH
//	attack ptrace-keyctl PID          keyctl ourselves, then made by PID (traced)
//	attack seize-new SECS             ptrace every process born in our PID namespace
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// command is one subcommand: its argument count and what it does.
type command struct {
	usage string
	nargs int
	run   func(args []string) error
}

var commands = map[string]command{
	"caps":          {"", 0, func([]string) error { return caps() }},
	"stdio":         {"", 0, func([]string) error { return stdio() }},
	"tiocsti":       {"FD|PATH TEXT", 2, tiocsti},
	"keyring-read":  {"DESCRIPTION", 1, keyringRead},
	"exe-attack":    {"DEV:INO SECONDS", 2, exeAttack},
	"open":          {"PATH r|w [BYTES]", 2, openPath},
	"lease":         {"PATH SECONDS", 2, lease},
	"fifo-watch":    {"PATH SECONDS", 2, fifoWatch},
	"fds":           {"", 0, func([]string) error { return fds() }},
	"shocker":       {"FILE", 1, shocker},
	"chroot-escape": {"PATH", 1, chrootEscape},
	"ptrace-keyctl": {"PID", 1, ptraceKeyctl},
	"seize-new":     {"SECONDS", 1, seizeNew},
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	c, ok := commands[os.Args[1]]
	args := os.Args[2:]
	if !ok || len(args) < c.nargs {
		usage()
	}
	if err := c.run(args); err != nil {
		fmt.Fprintf(os.Stderr, "attack %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage:")
	for name, c := range commands {
		fmt.Fprintf(os.Stderr, "  attack %s %s\n", name, c.usage)
	}
	os.Exit(2)
}

// errno names a system call error the way the tests match it: "EPERM".
func errno(err error) string {
	if e, ok := err.(unix.Errno); ok {
		if n := unix.ErrnoName(e); n != "" {
			return n
		}
	}
	if pe, ok := err.(*os.PathError); ok {
		return errno(pe.Err)
	}
	return err.Error()
}

// seconds parses a duration argument given in whole seconds.
func seconds(s string) (time.Duration, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad number of seconds %q", s)
	}
	return time.Duration(n) * time.Second, nil
}
