package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// caps prints the lines of /proc/self/status that say what this process may
// do: capability sets, no_new_privs, seccomp mode, supplementary groups.
func caps() error {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		for _, p := range []string{"Cap", "NoNewPrivs:", "Seccomp:", "Groups:"} {
			if strings.HasPrefix(l, p) {
				fmt.Println(l)
			}
		}
	}
	return sc.Err()
}

// stdio prints what fds 0, 1 and 2 are ("fd0 pipe ino=N", "fd1 tty 136:3"), then
// this process's pid, session and process group, so a test can see whether
// it was handed its caller's terminal or got pipes and a session of its own.
func stdio() error {
	for fd := 0; fd <= 2; fd++ {
		fmt.Printf("fd%d %s\n", fd, fdKind(fd))
	}
	sid, err := unix.Getsid(0)
	if err != nil {
		return err
	}
	fmt.Printf("pid=%d sid=%d pgid=%d\n", os.Getpid(), sid, unix.Getpgrp())
	return nil
}

func fdKind(fd int) string {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "closed (" + errno(err) + ")"
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return fmt.Sprintf("pipe ino=%d", st.Ino) // tells one pipe from another
	case unix.S_IFSOCK:
		return "socket"
	case unix.S_IFREG:
		return "file"
	case unix.S_IFCHR:
		dev := fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev))
		if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			return "tty " + dev
		}
		if dev == "1:3" {
			return "null"
		}
		return "chr " + dev
	}
	return fmt.Sprintf("mode %o", st.Mode)
}
