package ctrinit

import (
	"os"
	"os/exec"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// TestStartPollerAboveHandoff: in a fresh process whose descriptors 4 to
// 6 are free (as in init of a container without a terminal or gate),
// startPoller leaves the runtime's epoll and eventfd above 6, where
// ExecEnter's placements cannot replace them, and 4 to 6 free again.
// The process is this test's binary run again without a timeout, so that
// nothing of the testing package started the poller before.
func TestStartPollerAboveHandoff(t *testing.T) {
	if os.Getenv("CTRINIT_POLLER_CHILD") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStartPollerAboveHandoff$", "-test.timeout=0", "-test.v")
		cmd.Env = append(os.Environ(), "CTRINIT_POLLER_CHILD=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	for fd := EnterUserNSFd; fd <= enterExeFd; fd++ {
		unix.Close(fd) // whatever the child inherited
	}
	if fds := pollerFds(t); len(fds) > 0 {
		t.Fatalf("the runtime's poller started before the test: %v", fds)
	}
	if err := startPoller(); err != nil {
		t.Fatal(err)
	}
	fds := pollerFds(t)
	if len(fds) != 2 {
		t.Fatalf("poller descriptors %v, want an epoll and an eventfd", fds)
	}
	for fd, what := range fds {
		if fd <= enterExeFd {
			t.Errorf("the runtime's %s is at %d, where ExecEnter or spawnCommand places descriptors", what, fd)
		}
	}
	for fd := EnterUserNSFd; fd <= enterExeFd; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			t.Errorf("fd %d is still held", fd)
		}
	}
}

// pollerFds lists the process's epoll and eventfd descriptors.
func pollerFds(t *testing.T) map[int]string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, e := range ents {
		link, _ := os.Readlink("/proc/self/fd/" + e.Name())
		if link == "anon_inode:[eventpoll]" || link == "anon_inode:[eventfd]" {
			fd, _ := strconv.Atoi(e.Name())
			out[fd] = link
		}
	}
	return out
}
