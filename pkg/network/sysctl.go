package network

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"github.com/vishvananda/netns"
)

// writeSysctl sets /proc/sys/key in the network namespace of the calling
// thread (/proc/sys/net follows the thread, not the process).
func writeSysctl(key, val string) error {
	if err := os.WriteFile("/proc/sys/"+key, []byte(val), 0o644); err != nil {
		return fmt.Errorf("set %s=%s: %w", strings.ReplaceAll(key, "/", "."), val, err)
	}
	return nil
}

// refuseRouterAdverts turns IPv6 router advertisements off on link name,
// before it comes up: a pod must not be able to give the host (or another
// pod) addresses and routes (CVE-2020-10749). A kernel without IPv6 has
// nothing to turn off.
func refuseRouterAdverts(name string) error {
	err := writeSysctl("net/ipv6/conf/"+name+"/accept_ra", "0")
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat("/proc/sys/net/ipv6"); errors.Is(serr, fs.ErrNotExist) {
			return nil
		}
	}
	return err
}

// inNetNS runs fn on a thread switched into namespace h, for the few
// settings only reachable from inside (sysctls). It uses a goroutine of
// its own: should the thread fail to switch back, the goroutine ends with
// the thread still locked and the runtime kills that thread, instead of
// the caller going on in the wrong namespace.
func inNetNS(h netns.NsHandle, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open own network namespace: %w", err)
			return
		}
		defer orig.Close()
		if err := netns.Set(h); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter pod network namespace: %w", err)
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- errors.Join(ferr, fmt.Errorf("leave pod network namespace: %w", err))
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
