package pod

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/logs"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// removePodFiles deletes the pod's data, logs and state, in that order: the
// run directory goes last because it is how `down` finds the pod.
func removePodFiles(st *state.Pod) error {
	var errs []error
	if err := os.RemoveAll(roots.PodData(st.Name)); err != nil {
		errs = append(errs, fmt.Errorf("remove data of %s: %w", st.Name, err))
	}
	for _, dir := range logDirs(st) {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove logs of %s: %w", st.Name, err))
		}
	}
	if err := os.RemoveAll(roots.PodRun(st.Name)); err != nil {
		errs = append(errs, fmt.Errorf("remove state of %s: %w", st.Name, err))
	}
	return errors.Join(errs...)
}

// logDirs finds the pod's log directory even when its UID was never
// recorded (a monitor that died early). Names hold no '_', so the pattern
// cannot match another pod.
func logDirs(st *state.Pod) []string {
	if st.UID != "" && st.Namespace != "" {
		return []string{logs.PodDir(roots.Logs, st.Namespace, st.Name, st.UID)}
	}
	m, _ := filepath.Glob(filepath.Join(roots.Logs, "*_"+st.Name+"_*"))
	return m
}

// unmountUnder detaches every mount at or below dir in this mount
// namespace, deepest first.
func unmountUnder(dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 {
			p := unescapeMount(fields[4])
			if p == dir || strings.HasPrefix(p, dir+"/") {
				points = append(points, p)
			}
		}
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	for _, p := range points {
		_ = unix.Unmount(p, unix.MNT_DETACH)
	}
}

// unescapeMount undoes mountinfo's octal escapes (\040 for space, ...).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%o", &v); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// stopProcs ends processes that are not our children (the monitor is
// gone): SIGTERM, wait up to grace on their pidfds, then SIGKILL and wait.
func stopProcs(procs []state.Proc, grace time.Duration) {
	var live []state.Proc
	for _, p := range procs {
		if p.Signal(unix.SIGTERM) == nil {
			live = append(live, p)
		}
	}
	if waitGone(live, grace) {
		return
	}
	for _, p := range live {
		_ = p.Signal(unix.SIGKILL)
	}
	waitGone(live, 5*time.Second)
}

// waitGone waits until every process has exited or the timeout passes.
func waitGone(procs []state.Proc, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for _, p := range procs {
		if !waitExit(p, time.Until(deadline)) {
			return false
		}
	}
	return true
}

// waitExit waits on a pidfd (no polling) for p to exit.
func waitExit(p state.Proc, timeout time.Duration) bool {
	fd, err := unix.PidfdOpen(p.PID, 0)
	if err != nil {
		return true // already gone
	}
	defer unix.Close(fd)
	if !p.Alive() {
		return true
	}
	ms := int(timeout / time.Millisecond)
	if ms < 0 {
		ms = 0
	}
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return n > 0 || !p.Alive()
	}
}
