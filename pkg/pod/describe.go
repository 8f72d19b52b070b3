package pod

import (
	"fmt"
	"github.com/minipod/minipod/pkg/podstatus"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// Describe prints a pod as `kubectl describe pod` does, plus the namespace
// table that shows what the containers share.
func Describe(name string, out io.Writer) error {
	st, err := roots.Load(name)
	if err != nil {
		return err
	}
	markLost(st)
	now := time.Now()
	w := tabwriter.NewWriter(out, 0, 8, 1, ' ', 0)
	fmt.Fprintf(w, "Name:\t%s\nNamespace:\t%s\nUID:\t%s\nHostname:\t%s\n", st.Name, st.Namespace, st.UID, st.Hostname)
	fmt.Fprintf(w, "Node:\t%s\n", describeNode(st))
	fmt.Fprintf(w, "Start Time:\t%s\nStatus:\t%s\nPhase:\t%s\n", st.StartTime.Local().Format(time.RFC1123Z), podstatus.Status(st), st.Phase)
	if st.Message != "" {
		fmt.Fprintf(w, "Message:\t%s\n", st.Message)
	}
	fmt.Fprintf(w, "IP:\t%s\nNode IP:\t%s\n", orNone(st.PodIP), orNone(st.HostIP))
	fmt.Fprintf(w, "QoS Class:\t%s\n", orNone(st.QOSClass))
	fmt.Fprintf(w, "Monitor PID:\t%d\n", st.Monitor.PID)
	if st.Pause.PID != 0 {
		fmt.Fprintf(w, "Pause PID:\t%d\n", st.Pause.PID)
	} else if len(st.NSPaths) > 0 {
		// Pause set the namespaces up and left them to the monitor.
		fmt.Fprintf(w, "Pause PID:\t<none> (the monitor holds the namespaces)\n")
	}
	w.Flush()
	// The record does not hold the volumes: the stored manifest does.
	manifest, _ := roots.LoadManifest(st.Name)
	mounts := volumeMountsOf(manifest)
	if len(st.InitContainers) > 0 {
		fmt.Fprintln(out, "Init Containers:")
		describeContainers(out, st.InitContainers, mounts)
	}
	fmt.Fprintln(out, "Containers:")
	describeContainers(out, st.Containers, mounts)
	describeConditions(out, podstatus.V1(st).Conditions)
	describeVolumes(out, manifest)
	describeNamespaces(out, st)
	describeEvents(out, st, now)
	return nil
}

func describeContainers(out io.Writer, cs []state.Container, mounts map[string][]podspec.VolumeMount) {
	for _, c := range cs {
		w := tabwriter.NewWriter(out, 0, 8, 1, ' ', 0)
		fmt.Fprintf(w, "  %s:\n    Image:\t%s\n", c.Name, c.Image)
		if c.Proc.PID != 0 {
			fmt.Fprintf(w, "    PID:\t%d\n", c.Proc.PID)
		}
		writeState(w, "State", c.State, c.Reason, c.Message, c.ExitCode, c.Signal, c.StartedAt, c.FinishedAt)
		if l := c.Last; l != nil {
			writeState(w, "Last State", state.StateTerminated, l.Reason, l.Message, l.ExitCode, l.Signal, l.StartedAt, l.FinishedAt)
		}
		fmt.Fprintf(w, "    Ready:\t%t\n    Restart Count:\t%d\n", c.Ready && c.State == state.StateRunning, c.RestartCount)
		writeResources(w, "Limits", c.Limits)
		writeResources(w, "Requests", c.Requests)
		if vms, ok := mounts[c.Name]; ok {
			writeMounts(w, vms)
		}
		w.Flush()
	}
}

func writeState(w io.Writer, label string, s state.ContainerState, reason state.Reason, msg string, code, sig int, start, end time.Time) {
	switch s {
	case state.StateRunning:
		fmt.Fprintf(w, "    %s:\tRunning\n      Started:\t%s\n", label, start.Local().Format(time.RFC1123Z))
	case state.StateTerminated:
		fmt.Fprintf(w, "    %s:\tTerminated\n      Reason:\t%s\n", label, reason)
		if msg != "" {
			fmt.Fprintf(w, "      Message:\t%s\n", msg)
		}
		fmt.Fprintf(w, "      Exit Code:\t%d\n", code)
		if sig != 0 {
			fmt.Fprintf(w, "      Signal:\t%d\n", sig)
		}
		fmt.Fprintf(w, "      Started:\t%s\n      Finished:\t%s\n", start.Local().Format(time.RFC1123Z), end.Local().Format(time.RFC1123Z))
	default:
		fmt.Fprintf(w, "    %s:\tWaiting\n      Reason:\t%s\n", label, reason)
		if msg != "" {
			fmt.Fprintf(w, "      Message:\t%s\n", msg)
		}
	}
}

// describeNamespaces prints the namespace inode of the host, the pod (pause)
// and every running container: equal numbers mean a shared namespace.
func describeNamespaces(out io.Writer, st *state.Pod) {
	kinds := []string{"net", "ipc", "uts", "pid", "mnt"}
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(out, "Namespaces:")
	fmt.Fprintf(w, "  PROCESS\t%s\n", strings.ToUpper(strings.Join(kinds, "\t")))
	row := func(label string, inodes map[string]uint64) {
		var cells []string
		for _, k := range kinds {
			cells = append(cells, fmt.Sprint(inodes[k]))
		}
		fmt.Fprintf(w, "  %s\t%s\n", label, strings.Join(cells, "\t"))
	}
	row("(host)", ns.Inodes(os.Getpid()))
	if len(st.Namespaces) > 0 {
		row("(pod/pause)", st.Namespaces)
	}
	for _, c := range st.All() {
		if len(c.Namespaces) > 0 {
			row(c.Name, c.Namespaces)
		}
	}
	w.Flush()
}

// describeConditions is kubectl's Conditions table.
func describeConditions(out io.Writer, cs []podspec.PodCondition) {
	fmt.Fprintln(out, "Conditions:")
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "  Type\tStatus")
	for _, c := range cs {
		fmt.Fprintf(w, "  %s\t%s\n", c.Type, c.Status)
	}
	w.Flush()
}

func describeEvents(out io.Writer, st *state.Pod, now time.Time) {
	if len(st.Events) == 0 {
		fmt.Fprintln(out, "Events:  <none>")
		return
	}
	evs := append([]state.Event(nil), st.Events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	fmt.Fprintln(out, "Events:")
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "  Type\tReason\tAge\tFrom\tMessage")
	fmt.Fprintln(w, "  ----\t------\t----\t----\t-------")
	for _, e := range evs {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", e.Type, e.Reason, podstatus.HumanDuration(now.Sub(e.Time)), "minipod", e.Message)
	}
	w.Flush()
}

// writeResources prints a container's limits or requests as kubectl
// describe does, names sorted.
func writeResources(w io.Writer, title string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	fmt.Fprintf(w, "    %s:\n", title)
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "      %s:\t%s\n", n, m[n])
	}
}

// describeNode is kubectl's Node line: the node's name and address once
// the pod is bound to it.
func describeNode(st *state.Pod) string {
	node := podstatus.NodeName(st)
	if node == "" || st.HostIP == "" {
		return orNone(node)
	}
	return node + "/" + st.HostIP
}
