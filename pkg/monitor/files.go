package monitor

import (
	"fmt"
	"os"
	"strings"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/services"
	"github.com/minipod/minipod/pkg/state"
	"golang.org/x/sys/unix"
)

// shmSize matches containerd's sandbox /dev/shm (defaultShmSize).
const shmSize = "65536k"

// hostname is the pod's hostname as the kubelet computes it: spec.hostname,
// else the pod name cut to 63 characters without a trailing '-' or '.'.
func hostname(p *podspec.Pod) string {
	if p.Spec.HostNetwork {
		if h, err := os.Hostname(); err == nil {
			return h
		}
	}
	if p.Spec.Hostname != "" {
		return p.Spec.Hostname
	}
	h := p.Name
	if len(h) > 63 {
		h = strings.TrimRight(h[:63], "-.")
	}
	return h
}

// nodename is the pod's hostname as its processes see it (the UTS
// nodename, /etc/hostname, $HOSTNAME): with setHostnameAsFQDN and a
// subdomain, its fully qualified name, as the kubelet's
// GetNodenameForKernel gives it (validation made sure it fits). /etc/hosts
// keeps the short name and the FQDN beside it, as on a node. A hostNetwork
// pod has the node's UTS namespace, and its name.
func nodename(p *podspec.Pod) string {
	if fqdn := podspec.PodFQDN(p); fqdn != "" && !p.Spec.HostNetwork && p.Spec.SetHostnameAsFQDN != nil && *p.Spec.SetHostnameAsFQDN {
		return fqdn
	}
	return hostname(p)
}

// writePodFiles writes the pod's /etc/hosts, /etc/hostname and
// /etc/resolv.conf and mounts its /dev/shm; it returns them keyed by the
// path they are bound to in each container. The /etc files are writable
// by containers, as on a node, so they live on disk with the pod's data
// (the kubelet keeps them in the pod's directory too), never on the
// host's /run tmpfs, which a container could fill; /dev/shm is a tmpfs
// of its own with a size.
func writePodFiles(p *podspec.Pod) (map[string]string, error) {
	out := map[string]string{
		"/etc/hosts":       roots.EtcFile(p.Name, "hosts"),
		"/etc/hostname":    roots.EtcFile(p.Name, "hostname"),
		"/etc/resolv.conf": roots.EtcFile(p.Name, "resolv.conf"),
		"/dev/shm":         roots.Shm(p.Name),
	}
	if err := os.MkdirAll(roots.PodData(p.Name), 0o700); err != nil {
		return nil, fmt.Errorf("create pod data dir: %w", err)
	}
	if err := state.WriteFile(out["/etc/hostname"], []byte(nodename(p)+"\n"), 0o644); err != nil {
		return nil, err
	}
	if err := state.WriteFile(out["/etc/resolv.conf"], podResolv(p, nodeResolv()), 0o644); err != nil {
		return nil, err
	}
	if p.Spec.HostIPC {
		// The node's IPC namespace comes with the node's POSIX shared
		// memory, as containerd binds it for such pods.
		out["/dev/shm"] = "/dev/shm"
		return out, nil
	}
	if err := mountTmpfs(out["/dev/shm"], "mode=1777,size="+shmSize); err != nil {
		return nil, err
	}
	return out, nil
}

// writeHosts writes the pod's /etc/hosts, with its address once known.
func writeHosts(path string, st *state.Pod, p *podspec.Pod) error {
	return state.WriteFile(path, []byte(hostsContent(st, p)), 0o644)
}

// rewriteHosts writes the pod's /etc/hosts again where it is: the first
// containers' roots bind the file while the network is attached, before
// the pod's address is known, and no command of theirs ran yet.
func rewriteHosts(path string, st *state.Pod, p *podspec.Pod) error {
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	content := hostsContent(st, p)
	_, err = f.WriteAt([]byte(content), 0)
	if err == nil {
		err = f.Truncate(int64(len(content)))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func hostsContent(st *state.Pod, p *podspec.Pod) string {
	content := hostsFile(st.PodIP, st.Hostname, hostsDomain(p))
	if st.HostNetwork {
		content = nodeHostsFile()
	}
	content += hostAliasLines(p.Spec.HostAliases)
	if !st.HostNetwork {
		// The Services' names, as they are now; kept current by whoever
		// changes them (pkg/services).
		svcs, err := services.ForPod(roots, p.Namespace)
		if err != nil {
			fmt.Fprintf(os.Stderr, "monitor: the Services' names: %v\n", err) // the next sync writes them
		}
		content += svcs
	}
	return content
}

// hostsFile follows the kubelet's managed hosts file: localhost entries,
// then the pod's IP with its hostname (its fully qualified name first when
// the pod has a subdomain).
func hostsFile(ip, host, domain string) string {
	pod := ""
	switch {
	case ip != "" && domain != "":
		pod = ip + "\t" + host + "." + domain + "\t" + host + "\n"
	case ip != "":
		pod = ip + "\t" + host + "\n"
	}
	return "# Kubernetes-managed hosts file.\n" +
		"127.0.0.1\tlocalhost\n" +
		"::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\n" +
		"fe00::0\tip6-mcastprefix\n" +
		"fe00::1\tip6-allnodes\n" +
		"fe00::2\tip6-allrouters\n" + pod
}

// mountTmpfs mounts a tmpfs at dir. It runs in the monitor's private mount
// namespace, so the host never sees it and it dies with the pod.
func mountTmpfs(dir, data string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, data); err != nil {
		return fmt.Errorf("mount tmpfs on %s: %w", dir, err)
	}
	return nil
}
