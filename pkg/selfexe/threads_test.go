package selfexe

import (
	"os"
	"runtime"
	"strings"
	"testing"
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
