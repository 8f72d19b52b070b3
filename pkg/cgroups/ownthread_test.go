package cgroups

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestOwnV1CgroupsWhileThreadsEnd: reading the calling thread's cgroups
// holds while other goroutines end the threads they locked (as namespace
// joins do): /proc/thread-self names the thread that opened the file, and
// a read from another thread after that one ended failed with ESRCH.
func TestOwnV1CgroupsWhileThreadsEnd(t *testing.T) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				done := make(chan struct{})
				go func() {
					runtime.LockOSThread() // never unlocked: the thread ends with it
					close(done)
				}()
				<-done
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	deadline := time.Now().Add(2 * time.Second)
	for n := 0; time.Now().Before(deadline); n++ {
		if _, err := ownV1Cgroups(); err != nil {
			t.Fatalf("read %d: %v", n, err)
		}
	}
}
