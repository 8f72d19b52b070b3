package teardown

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/minipod/minipod/pkg/logs"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// removeData deletes the pod's data and logs.
func removeData(r state.Roots, st *state.Pod) error {
	var errs []error
	if err := os.RemoveAll(r.PodData(st.Name)); err != nil {
		errs = append(errs, fmt.Errorf("remove data of %s: %w", st.Name, err))
	}
	for _, dir := range logDirs(r, st) {
		if err := os.RemoveAll(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove logs of %s: %w", st.Name, err))
		}
	}
	return errors.Join(errs...)
}

// removeRun deletes the pod's run directory (its state): the last of a
// pod to go, because it is how `down` finds the pod.
func removeRun(r state.Roots, st *state.Pod) error {
	if err := os.RemoveAll(r.PodRun(st.Name)); err != nil {
		return fmt.Errorf("remove state of %s: %w", st.Name, err)
	}
	return nil
}

// logDirs finds the pod's log directory even when its UID was never
// recorded (a monitor that died early). Names hold no '_', so the pattern
// cannot match another pod.
func logDirs(r state.Roots, st *state.Pod) []string {
	if st.UID != "" && st.Namespace != "" {
		return []string{logs.PodDir(r.Logs, st.Namespace, st.Name, st.UID)}
	}
	m, _ := filepath.Glob(filepath.Join(r.Logs, "*_"+st.Name+"_*"))
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
