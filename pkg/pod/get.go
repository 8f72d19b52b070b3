package pod

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/teardown"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minipod/minipod/pkg/state"
)

// GetOptions are the flags of `minipod get`.
type GetOptions struct {
	Names  []string
	Output string // "", "wide", "json" or "yaml"
	Out    io.Writer
	// Watch keeps printing a row whenever a pod's row changes, as
	// `kubectl get -w` does, until Ctx ends.
	Watch bool
	Ctx   context.Context
}

// Get prints pods as `kubectl get pods` does.
func Get(o GetOptions) error {
	pods, err := loadPods(o.Names)
	if err != nil {
		return err
	}
	object := o.Output == "json" || o.Output == "yaml" || strings.HasPrefix(o.Output, "jsonpath=")
	if o.Watch && !object {
		return watch(o, pods)
	}
	switch {
	case object:
		return printObject(o.Out, pods, o.Output)
	case o.Output == "" || o.Output == "wide":
		return printTable(o.Out, pods, o.Output == "wide")
	default:
		return fmt.Errorf("get: unknown output format %q (want wide, json, yaml or jsonpath=TEMPLATE)", o.Output)
	}
}

func loadPods(names []string) ([]*state.Pod, error) {
	all := len(names) == 0
	if all {
		var err error
		if names, err = roots.List(); err != nil {
			return nil, err
		}
	}
	var pods []*state.Pod
	for _, n := range names {
		// An abandoned creation is no pod, even while another command
		// reclaims it.
		if reclaimAbandoned(n) || roots.Stale(n) {
			if all {
				continue
			}
			return nil, fmt.Errorf("pod %q: %w", n, state.ErrNotExist)
		}
		st, err := roots.Load(n)
		if err != nil {
			if all && errors.Is(err, state.ErrNotExist) {
				continue // deleted while we listed
			}
			return nil, err
		}
		markLost(st)
		pods = append(pods, st)
	}
	return pods, nil
}

// markLost reports a pod whose monitor died without finishing it as
// Unknown, as kubectl shows a pod whose node stopped reporting.
func markLost(st *state.Pod) {
	if st.Finished || st.Monitor.PID == 0 || st.Monitor.Alive() {
		return
	}
	// The record may predate the monitor's last save: a monitor that
	// finished the pod records that, then exits. Read it again.
	if again, err := roots.Load(st.Name); err == nil && again.Finished {
		*st = *again
		return
	}
	st.Phase, st.Reason = state.PhaseUnknown, state.ReasonUnknown
	st.Message = "the pod's monitor (pid " + strconv.Itoa(st.Monitor.PID) + ") is gone; delete the pod with: minipod down " + st.Name
}

func printTable(out io.Writer, pods []*state.Pod, wide bool) error {
	if len(pods) == 0 {
		fmt.Fprintln(os.Stderr, "No resources found")
		return nil
	}
	w := tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, tableHead(wide))
	now := time.Now()
	for _, st := range pods {
		fmt.Fprintln(w, tableRow(st, wide, now))
	}
	return w.Flush()
}

func tableHead(wide bool) string {
	head := "NAME\tREADY\tSTATUS\tRESTARTS\tAGE"
	if wide {
		head += "\tIP\tNODE\tNOMINATED NODE\tREADINESS GATES"
	}
	return head
}

// tableRow is one pod's line, tab-separated for a tabwriter.
func tableRow(st *state.Pod, wide bool, now time.Time) string {
	row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s", st.Name, podstatus.Ready(st), podstatus.Status(st), podstatus.Restarts(st, now), podstatus.HumanDuration(now.Sub(st.Created)))
	if wide {
		node := orNone(podstatus.NodeName(st))
		row += fmt.Sprintf("\t%s\t%s\t%s\t%s", orNone(st.PodIP), node, "<none>", "<none>")
	}
	return row
}

// v1Pods rebuilds the v1 Pods of the records.
func v1Pods(sts []*state.Pod) ([]*podspec.Pod, error) {
	out := make([]*podspec.Pod, 0, len(sts))
	for _, st := range sts {
		p, err := v1Pod(st)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// printObject prints the v1 Pod (or a v1 List of them) as kubectl's
// -o json, -o yaml or -o jsonpath=TEMPLATE does.
func printObject(out io.Writer, sts []*state.Pod, format string) error {
	pods, err := v1Pods(sts)
	if err != nil {
		return err
	}
	v := v1Object(pods)
	if tmpl, ok := strings.CutPrefix(format, "jsonpath="); ok {
		s, err := jsonPath(tmpl, v)
		if err != nil {
			return err
		}
		_, err = io.WriteString(out, s)
		return err
	}
	if format == "yaml" {
		b, err := marshalYAML(v)
		if err != nil {
			return fmt.Errorf("encode pods: %w", err)
		}
		_, err = out.Write(b)
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "    ")
	return enc.Encode(v)
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// reclaimAbandoned removes pod name if it is a creation whose `up` died
// before handing the pod to its monitor (state.Reclaim), under the pod's lock so
// that no new `up` of the name can be caught half-way; it says whether it
// did.
func reclaimAbandoned(name string) bool {
	lock, ok := roots.Reclaim(name)
	if !ok {
		return false
	}
	if lock != nil {
		defer lock.Close()
	}
	return teardown.Dead(roots, name, 0) == nil
}
