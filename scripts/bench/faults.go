package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// work is what one process spent: its minor page faults and its CPU time.
// On a virtual machine a page fault can cost ten times what it costs on
// bare metal, and minipod starts several Go processes per pod, each
// faulting in its runtime, heap and stacks: the faults tell where the
// time goes where the milliseconds alone do not, and they do not drift
// with the machine's load.
type work struct {
	faults int64
	cpu    time.Duration
}

// workLog collects, per process and command, what each run spent.
type workLog struct {
	order []string
	runs  map[string][]work
}

func (l *workLog) add(what string, w work) {
	if l.runs == nil {
		l.runs = map[string][]work{}
	}
	if _, ok := l.runs[what]; !ok {
		l.order = append(l.order, what)
	}
	l.runs[what] = append(l.runs[what], w)
}

// childWork is what a finished command spent (not counting the processes
// it left running, such as the monitor `up` starts).
func childWork(cmd *exec.Cmd) work {
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return work{}
	}
	return work{faults: ru.Minflt, cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
}

// processWork is what a running process spent so far: minor faults from
// /proc/PID/stat (all its threads), CPU time from the schedstat of each
// of its threads (nanoseconds, where stat counts clock ticks; a thread
// that already ended is not counted).
func processWork(pid int) (work, error) {
	dir := "/proc/" + strconv.Itoa(pid)
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return work{}, err
	}
	faults, err := statFaults(string(stat))
	if err != nil {
		return work{}, fmt.Errorf("read %s/stat: %w", dir, err)
	}
	tasks, err := os.ReadDir(dir + "/task")
	if err != nil {
		return work{}, err
	}
	var cpu time.Duration
	for _, t := range tasks {
		sched, err := os.ReadFile(dir + "/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue // ended meanwhile
		}
		if ns, err := strconv.ParseInt(strings.Fields(string(sched))[0], 10, 64); err == nil {
			cpu += time.Duration(ns)
		}
	}
	return work{faults: faults, cpu: cpu}, nil
}

// statFaults reads minflt from a /proc/PID/stat line: its 10th field,
// the 8th after the command name, which may hold spaces and parentheses.
func statFaults(stat string) (int64, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("no command name")
	}
	f := strings.Fields(stat[end+1:])
	if len(f) < 8 {
		return 0, fmt.Errorf("%d fields after the command name", len(f))
	}
	return strconv.ParseInt(f[7], 10, 64)
}

// report prints the median faults and CPU time of each process, and what
// a page fault costs on this machine.
func (l *workLog) report() {
	if len(l.order) == 0 {
		return
	}
	fmt.Printf("%-48s %6s   %s\n", "page faults and CPU time, median per run:", "faults", "cpu")
	for _, what := range l.order {
		var faults []float64
		var cpu []time.Duration
		for _, w := range l.runs[what] {
			faults = append(faults, float64(w.faults))
			cpu = append(cpu, w.cpu)
		}
		fmt.Printf("  %-46s %6.0f   %.1f ms\n", what, medianF(faults), ms(median(cpu)))
	}
	if c, err := faultCost(); err == nil {
		fmt.Printf("  one page fault costs %.1f µs on this machine (fresh anonymous pages, median of 5)\n", float64(c.Nanoseconds())/1000)
	}
}

// faultCost is the time one minor fault of a fresh anonymous page takes
// here: the unit the counts above are paid in.
func faultCost() (time.Duration, error) {
	const pages = 1024
	page := os.Getpagesize()
	var costs []time.Duration
	for range 5 {
		mem, err := syscall.Mmap(-1, 0, pages*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			return 0, fmt.Errorf("map pages: %w", err)
		}
		start := time.Now()
		for i := 0; i < len(mem); i += page {
			mem[i] = 1
		}
		costs = append(costs, time.Since(start)/pages)
		if err := syscall.Munmap(mem); err != nil {
			return 0, fmt.Errorf("unmap pages: %w", err)
		}
	}
	return median(costs), nil
}
