package selfexe

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
	"golang.org/x/sys/unix"
)

// TestMain lets the test binary act as the re-executed child: it sleeps
// so the parent can attack its /proc/PID/exe.
func TestMain(m *testing.M) {
	switch os.Getenv("SELFEXE_CHILD") {
	case "":
	case "say":
		os.Stdout.WriteString(childSays)
		os.Exit(0)
	default:
		time.Sleep(5 * time.Second)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSealedExeRefusesWrites(t *testing.T) {
	testutil.RequiresRoot(t)
	s, err := Seal()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(self)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(s.Path())
	cmd.Env = []string{"SELFEXE_CHILD=1"}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	exe := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/exe"
	// As a container would: through the magic link, as root.
	if err := os.Chmod(exe, 0o4755); !errors.Is(err, unix.EROFS) {
		t.Errorf("chmod %s = %v, want EROFS", exe, err)
	}
	if err := os.Truncate(exe, 0); err == nil {
		t.Errorf("truncate %s succeeded", exe)
	}
	if f, err := os.OpenFile(exe, os.O_WRONLY, 0); err == nil {
		f.Close()
		t.Errorf("open %s for writing succeeded", exe)
	}
	if link, _ := os.Readlink(exe); link == self {
		t.Errorf("%s names the host binary %s", exe, link)
	}
	after, err := os.Stat(self)
	if err != nil || after.Mode() != before.Mode() || after.Size() != before.Size() {
		t.Errorf("binary changed: %v -> %v (%v)", before.Mode(), after.Mode(), err)
	}
}

// TestSealCompanion: a program beside the binary is sealed only when root
// alone can have written it.
func TestSealCompanion(t *testing.T) {
	testutil.RequiresRoot(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(self)
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm()&0o022 != 0 {
		t.Skipf("the test binary's directory %s is writable by others: nothing would be sealed", dir) // go test's own temp dir is 0700
	}
	p := filepath.Join(dir, "companion-test")
	t.Cleanup(func() { os.Remove(p) })
	for _, c := range []struct {
		mode os.FileMode
		want bool
	}{{0o755, true}, {0o775, false}, {0o757, false}, {0o644, false}} {
		if err := os.WriteFile(p, []byte("#!/bin/true\n"), c.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, c.mode); err != nil {
			t.Fatal(err)
		}
		s, err := SealCompanion("companion-test")
		if (s != nil) != c.want || (err == nil) != c.want {
			t.Errorf("mode %v: sealed %v (%v), want %v, and why not", c.mode, s != nil, err, c.want)
		}
		if s != nil {
			if err := unix.Access(s.Path(), unix.W_OK); err == nil {
				t.Error("the sealed companion is writable")
			}
			s.Close()
		}
		os.Remove(p)
	}
	if err := os.Symlink("/bin/true", p); err == nil {
		if s, err := SealCompanion("companion-test"); s != nil || err == nil {
			t.Errorf("a link: sealed %v, %v", s != nil, err)
		}
	}
	os.Remove(p)
	if s, err := SealCompanion("no-such-program"); s != nil || err != nil {
		t.Errorf("a missing program: sealed %v, %v", s != nil, err)
	}
	// In a directory others may write, none is used: one error says so.
	if err := os.WriteFile(p, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, fi.Mode().Perm()|0o002); err != nil {
		t.Fatal(err)
	}
	s, err := SealCompanion("companion-test")
	if cerr := os.Chmod(dir, fi.Mode().Perm()); cerr != nil {
		t.Fatal(cerr)
	}
	var de *DirError
	if s != nil || !errors.As(err, &de) || de.Dir != dir {
		t.Errorf("a world-writable directory: sealed %v, %v", s != nil, err)
	}
	os.Remove(p)
	// One from another build (written an hour before the binary) is not
	// used, and the caller is told why.
	if err := os.WriteFile(p, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	if s, err := SealCompanion("companion-test"); s != nil || err == nil {
		t.Errorf("a companion from another build: sealed %v, %v", s != nil, err)
	}
}

const childSays = "the sealed test binary\n"

// TestSealSurvivesChildFds: a child executing Path gets the sealed file
// even when it is handed descriptors 3 and up (as `up` hands the monitor
// its pipe, lock and companions): the seal's descriptor must not be one
// of the numbers they are arranged at between fork and execve.
func TestSealSurvivesChildFds(t *testing.T) {
	testutil.RequiresRoot(t)
	s, err := Seal()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fd := s.File().Fd(); fd < highFd {
		t.Errorf("seal at descriptor %d, want %d or above", fd, highFd)
	}
	var extra []*os.File
	for range 8 {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		extra = append(extra, f)
	}
	cmd := exec.Command(s.Path())
	cmd.Env = []string{"SELFEXE_CHILD=say"}
	cmd.ExtraFiles = extra
	out, err := cmd.Output()
	if err != nil || string(out) != childSays {
		t.Errorf("child through %s: %q, %v; want the sealed binary to run", s.Path(), out, err)
	}
}
