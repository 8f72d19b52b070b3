package pull

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress shows one line per layer. On a terminal the lines are redrawn
// in place (at most ten times a second); otherwise a layer's line is
// printed once, when the layer is done.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	lines    []*pline
	drawn    int // lines on screen
	last     time.Time
}

type pline struct {
	p      *progress
	id     string
	total  int64
	state  string
	n      int64
	closed bool
}

func newProgress(w io.Writer, terminal bool) *progress {
	return &progress{w: w, terminal: terminal}
}

func (p *progress) add(digest string, total int64) *pline {
	l := &pline{p: p, id: shortDigest(digest), total: total, state: "waiting"}
	p.mu.Lock()
	p.lines = append(p.lines, l)
	p.mu.Unlock()
	return l
}

// set records a state; n >= 0 updates the byte count.
func (l *pline) set(state string, n int64) {
	p := l.p
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l.state = state
	if n >= 0 {
		l.n = n
	}
	final := state == "done" || state == "already exists" || state == "failed"
	if !p.terminal {
		if final && !l.closed {
			l.closed = true
			fmt.Fprintln(p.w, l.text())
		}
		return
	}
	if final || time.Since(p.last) > 100*time.Millisecond {
		p.redraw()
	}
}

func (l *pline) text() string {
	switch l.state {
	case "downloading":
		return fmt.Sprintf("%s: downloading %s / %s", l.id, human(l.n), human(l.total))
	case "done":
		return fmt.Sprintf("%s: done (%s)", l.id, human(l.total))
	}
	return l.id + ": " + l.state
}

// redraw moves the cursor back over the lines drawn last time and
// rewrites them all. Called with p.mu held.
func (p *progress) redraw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	for _, l := range p.lines {
		b.WriteString("\r\x1b[2K" + l.text() + "\n")
	}
	p.drawn = len(p.lines)
	p.last = time.Now()
	io.WriteString(p.w, b.String())
}

func (p *progress) stop() {
	if p.w == nil || !p.terminal {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redraw()
}

func shortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		d = d[:12]
	}
	return d
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
