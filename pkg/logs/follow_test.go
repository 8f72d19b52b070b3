package logs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// followed starts a following Read in the background. The returned channel
// yields its error.
func followed(ctx context.Context, t *testing.T, path string, opts ReadOptions) (*syncBuffer, <-chan error) {
	t.Helper()
	out := &syncBuffer{}
	errc := make(chan error, 1)
	opts.Follow = true
	go func() { errc <- Read(ctx, path, opts, out) }()
	return out, errc
}

// waitFor waits until the follower has printed want.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != want {
		if time.Now().After(deadline) {
			t.Fatalf("follower printed %q, want %q", out.String(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitErr(t *testing.T, errc <-chan error, within time.Duration) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(within):
		t.Fatalf("Read still following after %v", within)
		return nil
	}
}

func TestFollowUntilDone(t *testing.T) {
	w, path := create(t, Options{})
	defer w.Close()
	copyIn := func(s string) {
		if err := w.Copy(Stdout, strings.NewReader(s)); err != nil {
			t.Error(err)
		}
	}
	copyIn("old 1\nold 2\n")

	var done atomic.Bool
	out, errc := followed(t.Context(), t, path, ReadOptions{Tail: 1, Done: done.Load})
	waitFor(t, out, "old 2\n")
	copyIn("new 1\n")
	waitFor(t, out, "old 2\nnew 1\n")
	long := strings.Repeat("l", MaxLineSize+1)
	copyIn(long + "\nnew 3")
	waitFor(t, out, "old 2\nnew 1\n"+long+"\nnew 3\n")

	// The writer finishes without a last write: only the periodic wake-up
	// can notice, and it must.
	done.Store(true)
	if err := waitErr(t, errc, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestFollowDrainsBeforeStopping(t *testing.T) {
	path := writeLog(t, [2]string{Stdout, "a\nb\n"})
	out, errc := followed(t.Context(), t, path, ReadOptions{Tail: -1, Done: func() bool { return true }})
	if err := waitErr(t, errc, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "a\nb\n" {
		t.Errorf("got %q", got)
	}
}

func TestFollowStopsOnCancel(t *testing.T) {
	path := writeLog(t, [2]string{Stdout, "a\n"})
	ctx, cancel := context.WithCancel(t.Context())
	out, errc := followed(ctx, t, path, ReadOptions{Tail: -1}) // no Done: follow until cancelled
	waitFor(t, out, "a\n")
	cancel()
	if err := waitErr(t, errc, 2*time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read after cancel = %v, want context.Canceled", err)
	}
}

// A record caught half written is printed once its newline lands.
func TestFollowHalfWrittenRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("2024-05-01T10:00:00Z stdout F hel")

	var done atomic.Bool
	out, errc := followed(t.Context(), t, path, ReadOptions{Tail: -1, Done: done.Load})
	time.Sleep(50 * time.Millisecond) // let the follower see the half record
	if got := out.String(); got != "" {
		t.Fatalf("half record printed early: %q", got)
	}
	f.WriteString("lo\n")
	waitFor(t, out, "hello\n")
	done.Store(true)
	if err := waitErr(t, errc, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}

// Tail 0 prints nothing old, then only lines that start after it began.
func TestFollowTailZero(t *testing.T) {
	w, path := create(t, Options{})
	defer w.Close()
	w.Copy(Stdout, strings.NewReader("old\n"))
	var done atomic.Bool
	out, errc := followed(t.Context(), t, path, ReadOptions{Tail: 0, Done: done.Load})
	// Nothing shows when the follower has counted the tail; give it time so
	// "new" is written after the count, not folded into the skipped part.
	time.Sleep(100 * time.Millisecond)
	w.Copy(Stderr, strings.NewReader("new\n"))
	waitFor(t, out, "new\n")
	done.Store(true)
	if err := waitErr(t, errc, 2*time.Second); err != nil {
		t.Fatal(err)
	}
}

// The inotify watch itself must fire on a write, so followers don't depend
// on the periodic wake-up for latency.
func TestWatchWakesOnWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	if err := os.WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	changed, stop := watch(path)
	defer stop()
	if changed == nil {
		t.Skip("inotify unavailable")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("x\n")
	select {
	case <-changed:
	case <-time.After(2 * time.Second):
		t.Fatal("no wake-up after a write")
	}
}
