package logs

import (
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A follower reads the renamed file to its end, then the new one.
func TestFollowAcrossRotation(t *testing.T) {
	w, path := create(t, Options{MaxSize: 1024, MaxFiles: 1 << 20})
	defer w.Close()
	copyLines(t, w, 1, 10)
	var done atomic.Bool
	out, errc := followed(t.Context(), t, path, ReadOptions{Tail: -1, Done: done.Load})
	waitFor(t, out, numbered(1, 10))
	for i := 1; i < 20; i++ {
		copyLines(t, w, i*10+1, i*10+10)
		waitFor(t, out, numbered(1, i*10+10))
	}
	if n, _ := listRotated(path); len(n) < 5 {
		t.Fatalf("only %d rotations", len(n))
	}
	done.Store(true)
	if err := waitErr(t, errc, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}

// gate is an output that blocks writes while closed.
type gate struct {
	syncBuffer
	open sync.Mutex
}

func (g *gate) Write(p []byte) (int, error) {
	g.open.Lock()
	defer g.open.Unlock()
	return g.syncBuffer.Write(p)
}

// A follower stuck on its output while several rotations happen, the file
// it was reading among them and compressed since, prints every line once.
func TestFollowFallsBehind(t *testing.T) {
	w, path := create(t, Options{MaxSize: 2048, MaxFiles: 1 << 20})
	defer w.Close()
	copyLines(t, w, 1, 10)
	out := &gate{}
	var done atomic.Bool
	errc := make(chan error, 1)
	go func() { errc <- Read(t.Context(), path, ReadOptions{Tail: -1, Follow: true, Done: done.Load}, out) }()
	waitFor(t, &out.syncBuffer, numbered(1, 10))

	out.open.Lock()
	copyLines(t, w, 11, 2000)
	waitCompressed(t, path)
	out.open.Unlock()

	waitFor(t, &out.syncBuffer, numbered(1, 2000))
	done.Store(true)
	if err := waitErr(t, errc, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}

// Between the rename and the new file there is no current file: the
// follower waits for it.
func TestFollowWaitsForNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	writeRecords(t, path, "a", "b")
	var done atomic.Bool
	out, errc := followed(t.Context(), t, path, ReadOptions{Tail: -1, Done: done.Load})
	waitFor(t, out, "a\nb\n")

	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(string(appendRecord(nil, time.Now(), Stdout, false, []byte("c"))))
	f.Close()
	if err := os.Rename(path, path+".20240501-100000"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, out, "a\nb\nc\n")
	time.Sleep(50 * time.Millisecond) // let it look for the missing file
	writeRecords(t, path, "d")
	waitFor(t, out, "a\nb\nc\nd\n")
	done.Store(true)
	if err := waitErr(t, errc, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}

// writeRecords appends a full stdout record for each content to path.
func writeRecords(t *testing.T, path string, contents ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range contents {
		if _, err := f.Write(appendRecord(nil, time.Now(), Stdout, false, []byte(c))); err != nil {
			t.Fatal(err)
		}
	}
}

// The watch wakes for the followed file's writes, rename and re-creation,
// not for its neighbours (rotated files being compressed, other
// instances).
func TestWatchFollowsName(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "0.log")
	touch(t, path)
	changed, stop := watch(path)
	defer stop()
	if changed == nil {
		t.Fatal("inotify unavailable")
	}
	steps := []struct {
		name string
		do   func() error
		wake bool
	}{
		{"neighbour written", func() error { return os.WriteFile(filepath.Join(dir, "1.log"), []byte("x\n"), 0o600) }, false},
		{"compression output", func() error {
			return os.WriteFile(filepath.Join(dir, "0.log.20240501-100000.gz.tmp"), []byte("x"), 0o600)
		}, false},
		{"file written", func() error { return os.WriteFile(path, []byte("x\n"), 0o600) }, true},
		{"renamed away", func() error { return os.Rename(path, path+".20240501-100000") }, true},
		{"created anew", func() error { return os.WriteFile(path, nil, 0o600) }, true},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-changed:
			if !s.wake {
				t.Errorf("%s: woke the follower", s.name)
			}
		case <-time.After(200 * time.Millisecond):
			if s.wake {
				t.Errorf("%s: no wake-up", s.name)
			}
		}
	}
}
