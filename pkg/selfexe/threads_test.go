package selfexe

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestNameThreads: every thread of the process, those made before the
// name was given included, carries it afterwards, and so do threads made
// later by named ones.
func TestNameThreads(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Threads that exist before the process is named, each parked.
	release := make(chan struct{})
	defer close(release)
	for i := 0; i < 4; i++ {
		started := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			close(started)
			<-release
		}()
		<-started
	}
	SetName("mp-named-test")
	NameThreads(Tasks())
	if odd := oddThreads(t, "mp-named-test"); len(odd) > 0 {
		t.Errorf("threads not named: %v", odd)
	}
}

func oddThreads(t *testing.T, want string) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var odd []string
	for _, e := range ents {
		b, err := os.ReadFile("/proc/self/task/" + e.Name() + "/comm")
		if err == nil && strings.TrimSpace(string(b)) != want {
			odd = append(odd, e.Name()+":"+strings.TrimSpace(string(b)))
		}
	}
	return odd
}

// TestNameThreadsWhileMade: threads that unnamed ones make while the
// naming runs are named too. One listing missed them: the CI run that
// found it had one thread left with the test binary's name. The window is
// short, so the test renames the process many times, each time with
// threads being made.
func TestNameThreadsWhileMade(t *testing.T) {
	for round := 0; round < 200; round++ {
		if odd := nameWhileMaking(t, fmt.Sprintf("mp-made-%d", round)); len(odd) > 0 {
			t.Fatalf("round %d: threads not named: %v", round, odd)
		}
	}
}

// nameWhileMaking names the process name while a goroutine makes
// threads, and returns the threads that do not carry it.
func nameWhileMaking(t *testing.T, name string) []string {
	release := make(chan struct{})
	defer close(release)
	const made = 16
	started := make(chan struct{}, made)
	SetName(name)
	go func() {
		for i := 0; i < made; i++ {
			go func() {
				runtime.LockOSThread()
				started <- struct{}{}
				<-release
			}()
		}
	}()
	NameThreads(Tasks())
	for i := 0; i < made; i++ {
		<-started
	}
	return oddThreads(t, name)
}

// TestNameThreadsLongName: a thread carrying a name longer than the
// kernel keeps (15 bytes) counts as named, so a pass does not rename it
// again and again. It checks the test's own thread, which SetName named:
// other threads of a test binary come and go with earlier tests.
func TestNameThreadsLongName(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	SetName("mp-a-name-longer-than-fifteen")
	tasks := Tasks()
	defer tasks.Close()
	got := threadName(tasks, strconv.Itoa(unix.Gettid()))
	if got != "mp-a-name-longe" {
		t.Fatalf("thread named %q, want the kernel's 15 bytes", got)
	}
	if got != keptName() {
		t.Errorf("a thread named %q does not count as named (%q)", got, keptName())
	}
}
