package pod

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/state"
)

// TopOptions are the flags of `minipod top`.
type TopOptions struct {
	Names      []string // pods; none means every pod
	Containers bool     // a row per container, as kubectl top pod --containers
	// Window is the time between the two samples a CPU rate is taken
	// over.
	Window time.Duration
	Out    io.Writer
}

// usage is one container's sample.
type usage struct {
	pod, ctr string
	a, b     cgroups.Usage
}

// Top prints CPU (millicores, over Window) and memory (working set) per
// pod, or per container, from the containers' cgroups.
func Top(o TopOptions) error {
	pods, err := loadPods(o.Names) // skips pods deleted while listed
	if err != nil {
		return err
	}
	samples, err := sampleAll(pods, o.Window)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(o.Out, 0, 8, 3, ' ', 0)
	if o.Containers {
		fmt.Fprintln(w, "POD\tNAME\tCPU(cores)\tMEMORY(bytes)")
		for _, s := range samples {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.pod, s.ctr, millicores(s.a.CPU, s.b.CPU, o.Window), mebibytes(s.b.WorkingSet))
		}
		return w.Flush()
	}
	fmt.Fprintln(w, "NAME\tCPU(cores)\tMEMORY(bytes)")
	for _, p := range podTotals(samples) {
		fmt.Fprintf(w, "%s\t%s\t%s\n", p.pod, millicores(p.a.CPU, p.b.CPU, o.Window), mebibytes(p.b.WorkingSet))
	}
	return w.Flush()
}

// sampleAll reads every running container's usage twice, Window apart.
func sampleAll(pods []*state.Pod, window time.Duration) ([]usage, error) {
	var out []usage
	var dirs []cgroups.Dirs
	for _, st := range pods {
		n := st.Name
		for _, c := range st.Containers {
			if c.State != state.StateRunning || st.Cgroup.Path == "" {
				continue
			}
			d, err := cgroups.Recorded(st.Cgroup.V2, st.Cgroup.Mount).Resolve(st.Cgroup.Path + "/" + c.Name)
			if err != nil {
				return nil, err
			}
			u, err := cgroups.Stats(d)
			if err != nil && !errors.Is(err, errors.ErrUnsupported) {
				return nil, fmt.Errorf("top %s/%s: %w", n, c.Name, err)
			}
			out, dirs = append(out, usage{pod: n, ctr: c.Name, a: u}), append(dirs, d)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("top: no running container")
	}
	time.Sleep(window)
	for i := range out {
		out[i].b, _ = cgroups.Stats(dirs[i])
	}
	return out, nil
}

// podTotals sums container samples per pod, in order.
func podTotals(samples []usage) []usage {
	var out []usage
	for _, s := range samples {
		if len(out) == 0 || out[len(out)-1].pod != s.pod {
			out = append(out, usage{pod: s.pod})
		}
		t := &out[len(out)-1]
		t.a.CPU += s.a.CPU
		t.b.CPU += s.b.CPU
		t.b.WorkingSet += s.b.WorkingSet
	}
	return out
}

// millicores is the CPU rate between two cumulative samples, as kubectl
// writes it (12m).
func millicores(a, b, window time.Duration) string {
	if window <= 0 || b < a {
		return "0m"
	}
	return fmt.Sprintf("%dm", int64(b-a)*1000/int64(window))
}

// mebibytes writes memory as kubectl top does (5Mi).
func mebibytes(n uint64) string { return fmt.Sprintf("%dMi", n>>20) }
