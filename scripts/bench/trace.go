package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// steps collects, over many `up -d` runs, when each traced start-up step
// happened (MINIPOD_TRACE: `up` and its monitor count from the bench's
// clock, taken just before it starts `up`).
type steps map[string][]time.Duration

// tracedUp times `up -d` of pod name and records its steps, and what the
// CLI, the monitor and a container's process spent on their way there.
func (b *bench) tracedUp(name string, s steps, spent *workLog) time.Duration {
	start := time.Now()
	cmd := exec.Command(b.bin, "up", "-d", b.manifest(name))
	cmd.Env = append(os.Environ(), "MINIPOD_TRACE="+strconv.FormatInt(start.UnixNano(), 10))
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: minipod up -d %s: %v\n%s", name, err, out)
		os.Exit(1)
	}
	s.add(string(out))
	if log, err := os.ReadFile(filepath.Join("/run/minipod", name, "monitor.log")); err == nil {
		s.add(string(log))
	}
	s["(up -d returned)"] = append(s["(up -d returned)"], d)
	spent.add("up -d: the CLI", childWork(cmd))
	mon, _ := pids(name)
	if w, err := processWork(mon); err == nil {
		spent.add("up -d: its monitor, start to report", w)
	}
	if w, err := processWork(containerPID(name)); err == nil {
		spent.add("up -d: a container's process (init, then sh)", w)
	}
	return d
}

// add reads "trace <ms> ms <step>" lines.
func (s steps) add(text string) {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != "trace" || f[2] != "ms" {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		step := strings.Join(f[3:], " ")
		s[step] = append(s[step], time.Duration(v*float64(time.Millisecond)))
	}
}

// report prints each step's median time since the bench started `up`,
// in order, and the gap from the step before: where `up -d` spends it.
func (s steps) report() {
	type row struct {
		step string
		at   time.Duration
		n    int
	}
	var rows []row
	for step, ds := range s {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		rows = append(rows, row{step, ds[len(ds)/2], len(ds)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].at < rows[j].at })
	fmt.Println("where up -d goes (MINIPOD_TRACE, median ms since the bench started up; + from the step before):")
	var prev time.Duration
	for _, r := range rows {
		fmt.Printf("  %8.2f  +%6.2f  %s (n=%d)\n", ms(r.at), ms(r.at-prev), r.step, r.n)
		prev = r.at
	}
}
