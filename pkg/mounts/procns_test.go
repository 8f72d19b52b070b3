package mounts

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestNewProcOfPIDNS: a procfs made for another PID namespace shows that
// namespace (its PID 1 is the child that made it), takes the spec's
// flags as mount attributes and its data words as parameters.
func TestNewProcOfPIDNS(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a PID namespace and fsopen") // CI runs it as root
	}
	if !ProcOfOtherPIDNS() {
		// The monitor keeps the old start there (monitor.spawnsInit).
		f, _ := os.Open("/proc/self/ns/pid")
		defer f.Close()
		if _, err := newProc(f, 0, ""); !errors.Is(err, ErrProcPIDNS) {
			t.Fatalf("a kernel without procfs's pidns parameter: want ErrProcPIDNS, got %v", err)
		}
		return
	}
	cmd := exec.Command("sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pidns, err := os.Open("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/ns/pid")
	if err != nil {
		t.Fatal(err)
	}
	defer pidns.Close()
	m, err := newProc(pidns, unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|unix.MS_RDONLY, "subset=pid")
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(m)
	read := func(name string) (string, error) {
		fd, err := unix.Openat(m, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return "", err
		}
		f := os.NewFile(uintptr(fd), name)
		defer f.Close()
		b := make([]byte, 4096)
		n, err := f.Read(b)
		return string(b[:n]), err
	}
	if comm, err := read("1/comm"); err != nil || strings.TrimSpace(comm) != "sleep" {
		t.Errorf("PID 1 of the namespace's procfs: comm %q, %v; want sleep", comm, err)
	}
	if _, err := read(strconv.Itoa(os.Getpid()) + "/comm"); err == nil {
		t.Errorf("the test's own PID is in the namespace's procfs")
	}
	if _, err := read("meminfo"); !errors.Is(err, unix.ENOENT) {
		t.Errorf("subset=pid: meminfo is there (%v)", err)
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(m, &st); err != nil {
		t.Fatal(err)
	}
	for flag, name := range map[int64]string{unix.ST_NOSUID: "nosuid", unix.ST_NODEV: "nodev", unix.ST_NOEXEC: "noexec", unix.ST_RDONLY: "ro"} {
		if st.Flags&flag == 0 {
			t.Errorf("mount flags %#x: no %s", st.Flags, name)
		}
	}
}
