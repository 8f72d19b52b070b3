package seccomp

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Helper modes for the benchmarks that need a real filtered thread.

func init() {
	helperModes["cost"] = modeCost
	helperModes["loadtime"] = modeLoadTime
}

// modeCost times raw getppid and personality(0xffffffff) calls on this
// thread before and after loading RuntimeDefault. The kernel caches
// "always allowed" per syscall number, so getppid should skip the filter;
// personality has argument rules, so the filter runs on every call.
func modeCost(r *results) error {
	n, _ := strconv.Atoi(os.Getenv(helperLoopEnv))
	if n <= 0 {
		n = 100000
	}
	loops := func(prefix string) {
		r.add(prefix+"getppid", fmt.Sprint(timeLoop(n, unix.SYS_GETPPID, 0)))
		r.add(prefix+"personality", fmt.Sprint(timeLoop(n, unix.SYS_PERSONALITY, 0xffffffff)))
	}
	loops("bare_")
	if err := loadDefault(r); err != nil {
		return err
	}
	loops("filtered_")
	return nil
}

// modeLoadTime times Load of RuntimeDefault: the first load in this
// process (cold, as in container init), then the mean of n more, each on
// a fresh thread (a goroutine that locks its thread and ends without
// unlocking it takes the thread, and its filter, with it).
func modeLoadTime(r *results) error {
	n, _ := strconv.Atoi(os.Getenv(helperLoopEnv))
	s, err := Choose(RuntimeDefault, "", "", specWithCaps(defaultCaps...))
	if err != nil {
		return err
	}
	p, err := Compile(s)
	if err != nil {
		return err
	}
	var warm time.Duration
	for i := 0; i <= n; i++ {
		ch := make(chan error)
		var took time.Duration
		go func() {
			runtime.LockOSThread()
			start := time.Now()
			err := p.Load()
			took = time.Since(start)
			ch <- err
		}()
		if err := <-ch; err != nil {
			return err
		}
		if i == 0 {
			r.add("cold", fmt.Sprint(took.Nanoseconds()))
		} else {
			warm += took
		}
	}
	r.add("warm", fmt.Sprint(warm.Nanoseconds()/int64(max(n, 1))))
	r.add("insns", fmt.Sprint(p.Len()))
	return nil
}

// timeLoop returns the mean time of n calls, after a warm-up.
func timeLoop(n int, nr, a1 uintptr) float64 {
	for i := 0; i < 1000; i++ {
		unix.RawSyscall(nr, a1, 0, 0)
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		unix.RawSyscall(nr, a1, 0, 0)
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

// mountDenied tries a mount whose target does not exist: ENOENT would
// mean the filter let it through, EPERM that it stopped it.
func mountDenied(r *results) {
	src, dst, fstype := cstr("none"), cstr("/nonexistent-minipod-seccomp-test"), cstr("tmpfs")
	r.sys("mount", unix.SYS_MOUNT, addr(src), addr(dst), addr(fstype), 0, 0)
	runtime.KeepAlive([]*byte{src, dst, fstype})
}
