package logs

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// watchMask is what a follower of one log file wants to hear about, on the
// file's directory: the current file being written, renamed away by a
// rotation, and created anew. A watch on the file itself would stay with
// the renamed file and miss the new one.
const watchMask = unix.IN_MODIFY | unix.IN_CLOSE_WRITE | unix.IN_CREATE |
	unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_DELETE | unix.IN_ONLYDIR

// watch reports changes of the file at path on the returned channel,
// coalesced (a value means "something changed since you last looked").
// Events for other files of the directory (other instances, rotated files
// being compressed) are ignored; events of the directory itself (it was
// removed) are not. stop releases the watch. If inotify is unavailable
// (e.g. out of instances) the channel never fires and the follower's
// periodic wake-up alone drives it, which is slower but still correct.
func watch(path string) (changed <-chan struct{}, stop func()) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, func() {}
	}
	if _, err := unix.InotifyAddWatch(fd, filepath.Dir(path), watchMask); err != nil {
		unix.Close(fd)
		return nil, func() {}
	}
	// A non-blocking fd wrapped by os.NewFile joins Go's poller, so Close
	// wakes the reading goroutine below instead of leaving it stuck.
	f := os.NewFile(uintptr(fd), "inotify:"+path)
	ch := make(chan struct{}, 1)
	go forwardEvents(f, filepath.Base(path), ch)
	return ch, func() { f.Close() }
}

// forwardEvents turns inotify reads that concern name into wake-ups until f
// is closed. What happened does not matter: the follower looks anyway.
func forwardEvents(f *os.File, name string, ch chan<- struct{}) {
	buf := make([]byte, 16<<10)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		if !concerns(buf[:n], name) {
			continue
		}
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// concerns reports whether any event in buf is about name or about the
// watched directory itself (an event without a name).
func concerns(buf []byte, name string) bool {
	for len(buf) >= unix.SizeofInotifyEvent {
		nameLen := int(binary.NativeEndian.Uint32(buf[12:16]))
		end := unix.SizeofInotifyEvent + nameLen
		if end > len(buf) {
			return true // cannot happen: the kernel returns whole events
		}
		evName := bytes.TrimRight(buf[unix.SizeofInotifyEvent:end], "\x00")
		if len(evName) == 0 || string(evName) == name {
			return true
		}
		buf = buf[end:]
	}
	return false
}
