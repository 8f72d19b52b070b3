package logs

import (
	"os"

	"golang.org/x/sys/unix"
)

// watch reports modifications of the file at path on the returned channel,
// coalesced (a value means "something changed since you last looked").
// stop releases the watch. If inotify is unavailable (e.g. out of
// instances) the channel never fires and the follower's periodic wake-up
// alone drives it, which is slower but still correct.
func watch(path string) (changed <-chan struct{}, stop func()) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, func() {}
	}
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_MODIFY|unix.IN_CLOSE_WRITE); err != nil {
		unix.Close(fd)
		return nil, func() {}
	}
	// A non-blocking fd wrapped by os.NewFile joins Go's poller, so Close
	// wakes the reading goroutine below instead of leaving it stuck.
	f := os.NewFile(uintptr(fd), "inotify:"+path)
	ch := make(chan struct{}, 1)
	go forwardEvents(f, ch)
	return ch, func() { f.Close() }
}

// forwardEvents turns inotify reads into wake-ups until f is closed. The
// events' content does not matter: the follower re-reads the file anyway.
func forwardEvents(f *os.File, ch chan<- struct{}) {
	buf := make([]byte, 4096)
	for {
		if _, err := f.Read(buf); err != nil {
			return
		}
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
