package pod

import (
	"fmt"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// watch prints the table, then one row for every change of a pod's STATUS,
// READY or RESTARTS (not AGE), like `kubectl get pods -w`. It wakes on
// inotify events in the run directory (a state.json rename, a pod
// appearing or going), with a slow tick as a backstop.
func watch(o GetOptions, pods []*state.Pod) error {
	wide := o.Output == "wide"
	cols := newColumns(tableHead(wide), pods, wide)
	fmt.Fprintln(o.Out, cols.format(tableHead(wide)))
	last := map[string]string{}
	emit := func(pods []*state.Pod) {
		now := time.Now()
		for _, st := range pods {
			if st.UID == "" {
				continue // being created or removed: no state to show yet
			}
			row := tableRow(st, wide, now)
			if key := rowKey(row); last[st.Name] != key {
				last[st.Name] = key
				cols.fit(row) // a longer name widens the columns from now on
				fmt.Fprintln(o.Out, cols.format(row))
			}
		}
	}
	emit(pods)
	wake, stop, err := runDirEvents()
	if err != nil {
		return err
	}
	defer stop()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-o.Ctx.Done():
			return nil
		case <-wake:
		case <-tick.C:
		}
		pods, err := loadPods(o.Names)
		if err != nil && len(o.Names) == 0 {
			return err
		}
		emit(pods)
	}
}

// columns pads rows to fixed widths: a watch prints rows one at a time, so
// a tabwriter could not align them with the header.
type columns []int

func newColumns(head string, pods []*state.Pod, wide bool) columns {
	c := columns{}
	c.fit(head)
	c.fit("x\tx\tContainerCreating\t0 (99m ago)\t99m") // room for what comes
	for _, st := range pods {
		c.fit(tableRow(st, wide, time.Now()))
	}
	return c
}

func (c *columns) fit(row string) {
	for i, f := range strings.Split(row, "\t") {
		if i >= len(*c) {
			*c = append(*c, 0)
		}
		(*c)[i] = max((*c)[i], len(f))
	}
}

func (c columns) format(row string) string {
	f := strings.Split(row, "\t")
	var b strings.Builder
	for i, v := range f {
		if i == len(f)-1 || i >= len(c) {
			b.WriteString(v)
			break
		}
		b.WriteString(v + strings.Repeat(" ", max(c[i]-len(v), 0)+3))
	}
	return b.String()
}

// rowKey is a row without its AGE column, which changes every second.
func rowKey(row string) string {
	f := strings.Split(row, "\t")
	if len(f) > 4 {
		f[4] = ""
	}
	return strings.Join(f, "\t")
}

// runDirEvents reports changes under /run/minipod (pods appearing or
// going) and in every pod directory (state.json being replaced).
func runDirEvents() (<-chan struct{}, func(), error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		return nil, nil, fmt.Errorf("watch pods: %w", err)
	}
	const mask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_TO
	addDirs := func() {
		_, _ = unix.InotifyAddWatch(fd, roots.Run, mask)
		names, _ := roots.List()
		for _, n := range names {
			_, _ = unix.InotifyAddWatch(fd, roots.PodRun(n), mask)
		}
	}
	addDirs()
	wake := make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := unix.Read(fd, buf); err != nil && err != unix.EINTR {
				return
			}
			addDirs() // new pods get their own watch
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}()
	return wake, func() { unix.Close(fd) }, nil
}
