package pod

import (
	"context"
	"fmt"
	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/safeterm"
	"io"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/minipod/minipod/pkg/logs"
	"golang.org/x/sys/unix"
)

// attach streams every container's output, prefixed with its name, until
// all pods finish; Ctrl-C (or SIGTERM) deletes the pods, as `up` promised.
func attach(names []string, out io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGINT, unix.SIGTERM)
	defer signal.Stop(sigs)
	pw := &prefixWriter{out: out}
	var wg sync.WaitGroup
	for _, n := range names {
		st, err := roots.Load(n)
		if err != nil {
			return err
		}
		for _, c := range st.All() {
			wg.Add(1)
			go func(pod, ctr string) {
				defer wg.Done()
				followAll(ctx, pod, ctr, pw)
			}(n, c.Name)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		for _, n := range names {
			if st, err := roots.Load(n); err == nil {
				fmt.Fprintf(out, "pod/%s %s (delete it with: minipod down %s)\n", n, podstatus.Status(st), n)
			}
		}
		return nil
	case <-sigs:
		cancel()
		return Down(DownOptions{Names: names, GracePeriod: -1, Out: out, Err: safeterm.Writer(os.Stderr)})
	}
}

// followAll follows each instance of a container in turn until the pod is
// finished or gone.
func followAll(ctx context.Context, pod, ctr string, pw *prefixWriter) {
	w := pw.For(ctr)
	for restart := 0; ctx.Err() == nil; restart++ {
		if !waitInstance(ctx, pod, ctr, restart) {
			return
		}
		st, err := roots.Load(pod)
		if err != nil {
			return
		}
		path := logs.Path(logs.PodDir(roots.Logs, st.Namespace, st.Name, st.UID), ctr, restart)
		ro := logs.ReadOptions{Tail: -1, Follow: true, Done: func() bool { return instanceDone(pod, ctr, restart) }}
		_ = logs.Read(ctx, path, ro, w)
	}
}

// waitInstance waits until instance restart of the container has started;
// false if it never will (pod finished or gone). The attached view is not a
// hot path, so a short poll of state.json is enough here.
func waitInstance(ctx context.Context, pod, ctr string, restart int) bool {
	for ctx.Err() == nil {
		st, err := roots.Load(pod)
		if err != nil {
			return false
		}
		c, ok := st.Find(ctr)
		if !ok {
			return false
		}
		if c.RestartCount > restart || (c.RestartCount == restart && c.Started) {
			return true
		}
		if st.Finished || st.Terminating {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// prefixWriter prefixes each line with "[container] ", keeping lines of
// different containers whole.
type prefixWriter struct {
	mu  sync.Mutex
	out io.Writer
}

func (p *prefixWriter) For(name string) io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, line := range splitKeep(b) {
			if _, err := fmt.Fprintf(p.out, "[%s] %s", name, line); err != nil {
				return 0, err
			}
		}
		return len(b), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func splitKeep(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i+1]))
			start = i + 1
		}
	}
	if start < len(b) {
		out = append(out, string(b[start:]))
	}
	return out
}
