package services

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// hostsMarker starts the part of a pod's /etc/hosts that names the
// Services; minipod rewrites what follows it whenever they change.
const hostsMarker = "# Services (kept current by minipod)\n"

// HostsSection is the Services part of the /etc/hosts of a pod in
// namespace ns: each Service's address under its names (NAME in its own
// namespace, NAME.NAMESPACE, NAME.NAMESPACE.svc and the cluster-local
// FQDN); a headless Service's names stand for each of its ready pods.
// One node has no cluster DNS: these lines are what a pod resolves.
func HostsSection(ns string, svcs []*podspec.Service, pods []Pod) string {
	var b strings.Builder
	b.WriteString(hostsMarker)
	for _, svc := range svcs {
		names := svc.Name + "." + svc.Namespace + ".svc.cluster.local\t" + svc.Name + "." + svc.Namespace + ".svc\t" + svc.Name + "." + svc.Namespace
		if svc.Namespace == ns {
			names += "\t" + svc.Name
		}
		for _, ip := range hostsIPs(svc, pods) {
			fmt.Fprintf(&b, "%s\t%s\n", ip, names)
		}
	}
	return b.String()
}

// hostsIPs are the addresses a Service's names stand for.
func hostsIPs(svc *podspec.Service, pods []Pod) []string {
	if !svc.Headless() {
		return []string{svc.Spec.ClusterIP}
	}
	seen := map[string]bool{}
	var out []string
	ports := svc.Spec.Ports
	if len(ports) == 0 {
		ports = []podspec.ServicePort{{TargetPort: &podspec.IntOrString{Int: 1}, Protocol: "TCP"}}
	}
	for _, a := range Endpoints(svc, ports[0], pods) {
		if !seen[a.IP] {
			seen[a.IP], out = true, append(out, a.IP)
		}
	}
	return out
}

// ForPod is the Services part of a new pod's /etc/hosts.
func ForPod(r state.Roots, ns string) (string, error) {
	svcs, err := services(r)
	if err != nil || len(svcs) == 0 {
		return "", err
	}
	return HostsSection(ns, svcs, readyPods(r)), nil
}

// updateHosts rewrites the Services part of every pod's /etc/hosts that
// changed, in place: the file is bind-mounted into the pod's containers,
// and a new file (a rename) would not reach them. A pod of the host's
// network has the node's file, which is not minipod's to change.
func updateHosts(r state.Roots, svcs []*podspec.Service, pods []Pod) {
	names, _ := r.List()
	for _, n := range names {
		st, err := r.Load(n)
		if err != nil || st.HostNetwork {
			continue
		}
		section := ""
		if len(svcs) > 0 {
			section = HostsSection(st.Namespace, svcs, pods)
		}
		_ = rewriteSection(r.EtcFile(n, "hosts"), section)
	}
}

// rewriteSection replaces what follows the marker (or appends section)
// when it differs; the path is minipod's own, opened without following a
// link, and without waiting: a root container owns the file as far as
// the kernel can tell and may hold a lease on it, which would make an
// open for writing wait up to lease-break-time (45 s) under the node
// lock. Such a file is left for the next sync.
func rewriteSection(path, section string) error {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	old, err := readBounded(f)
	if err != nil {
		return err
	}
	head := old
	if i := bytes.Index(old, []byte(hostsMarker)); i >= 0 {
		head = old[:i]
	}
	next := append(append([]byte{}, head...), section...)
	if bytes.Equal(next, old) {
		return nil
	}
	if _, err := f.WriteAt(next, 0); err != nil {
		return err
	}
	return f.Truncate(int64(len(next)))
}

// readBounded reads a hosts file a container may have grown (it is
// writable in the pod, and on the pod's disk), up to 1 MiB.
func readBounded(f *os.File) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	if err != nil {
		return nil, err
	}
	if len(b) > 1<<20 {
		return nil, errors.New("hosts file larger than 1 MiB")
	}
	return b, nil
}
