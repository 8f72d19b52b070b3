package pod

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/minipod/minipod/pkg/ns"
	"github.com/minipod/minipod/pkg/state"
)

// PortForwardOptions are the arguments of `minipod port-forward`.
type PortForwardOptions struct {
	Pod     string
	Ports   []string // [LOCAL:]REMOTE, as kubectl takes them
	Address string   // where to listen; kubectl's default is 127.0.0.1
	Out     io.Writer
}

type forward struct{ local, remote int }

// PortForward listens on the host and connects each client to the remote
// port on the pod's own localhost, from inside the pod's network namespace
// (as containerd's PortForward does), so even ports bound to the pod's
// 127.0.0.1 are reachable. It runs until ctx ends.
func PortForward(ctx context.Context, o PortForwardOptions) error {
	st, err := roots.Load(o.Pod)
	if err != nil {
		return err
	}
	netns, err := podNetNS(st)
	if err != nil {
		return fmt.Errorf("port-forward: %w", err)
	}
	defer netns.close()
	fwds, err := parseForwards(o.Ports)
	if err != nil {
		return err
	}
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	for _, f := range fwds {
		l, err := net.Listen("tcp", net.JoinHostPort(o.Address, strconv.Itoa(f.local)))
		if err != nil {
			return fmt.Errorf("port-forward: listen on %d: %w", f.local, err)
		}
		lns = append(lns, l)
		fmt.Fprintf(o.Out, "Forwarding from %s -> %d\n", l.Addr(), f.remote)
	}
	var wg sync.WaitGroup
	for i, l := range lns {
		wg.Add(1)
		go func() { defer wg.Done(); serve(l, netns, fwds[i].remote) }()
	}
	<-ctx.Done()
	for _, l := range lns {
		l.Close()
	}
	wg.Wait()
	return nil
}

func parseForwards(specs []string) ([]forward, error) {
	var out []forward
	for _, s := range specs {
		local, remote, found := strings.Cut(s, ":")
		if !found {
			remote = local
		}
		r, err := strconv.Atoi(remote)
		if err != nil || r < 1 || r > 65535 {
			return nil, fmt.Errorf("port-forward: invalid port %q", s)
		}
		l := r
		if found {
			if l, err = strconv.Atoi(local); err != nil || l < 0 || l > 65535 {
				return nil, fmt.Errorf("port-forward: invalid local port %q", s)
			}
		}
		out = append(out, forward{local: l, remote: r})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("port-forward: name at least one port")
	}
	return out, nil
}

func serve(l net.Listener, netns podNet, remote int) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go relay(c, netns, remote)
	}
}

// podNet is where the pod's network namespace is held: the /proc
// directory of its holder (the monitor, or pause), opened once and checked
// to be that process, so that every later connection fails once the
// holder is gone rather than reach whatever process has its PID now; and
// the namespace's path below it and inode. No holder is the node's own
// namespace (hostNetwork).
type podNet struct {
	holder *os.File
	rel    string
	ino    uint64
}

// podNetNS finds the pod's network namespace, checking that it is there.
func podNetNS(st *state.Pod) (podNet, error) {
	if err := onNode(st); err != nil {
		return podNet{}, err
	}
	if !st.Monitor.Alive() || st.Finished {
		return podNet{}, fmt.Errorf("pod %s is not running", st.Name)
	}
	if st.HostNetwork {
		return podNet{}, nil
	}
	path, ino := st.NSPaths["net"], st.Namespaces["net"]
	pid, rel, ok := strings.Cut(strings.TrimPrefix(path, "/proc/"), "/")
	var holder state.Proc
	for _, p := range []state.Proc{st.Monitor, st.Pause} {
		if p.PID != 0 && strconv.Itoa(p.PID) == pid {
			holder = p
		}
	}
	if !ok || ino == 0 || holder.PID == 0 {
		return podNet{}, fmt.Errorf("pod %s holds no network namespace", st.Name)
	}
	dir, err := os.Open("/proc/" + pid)
	if err != nil {
		return podNet{}, fmt.Errorf("pod %s is not running: %w", st.Name, err)
	}
	if start, err := state.StartTimeAt(dir, holder.PID); err != nil || start != holder.Start {
		dir.Close()
		return podNet{}, fmt.Errorf("pod %s is not running", st.Name)
	}
	n := podNet{holder: dir, rel: rel, ino: ino}
	set, err := n.open()
	if err != nil {
		dir.Close()
		return podNet{}, err
	}
	return n, set.Close()
}

// open opens the namespace, refusing another that took its place.
func (n podNet) open() (*ns.Set, error) {
	if n.holder == nil {
		return ns.Open(os.Getpid(), "net")
	}
	set, err := ns.OpenAt(int(n.holder.Fd()), "net", n.rel)
	if err != nil {
		return nil, err
	}
	if err := set.Expect(map[string]uint64{"net": n.ino}); err != nil {
		set.Close()
		return nil, err
	}
	return set, nil
}

func (n podNet) close() {
	if n.holder != nil {
		n.holder.Close()
	}
}

// relay dials the pod's localhost from a thread inside its network
// namespace: a socket belongs to the namespace it was created in, so the
// connection stays there after the thread is gone.
func relay(client net.Conn, netns podNet, remote int) {
	defer client.Close()
	set, err := netns.open()
	if err != nil {
		return
	}
	var pod net.Conn
	err = set.Do(func() error {
		var derr error
		pod, derr = net.Dial("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(remote)))
		return derr
	})
	set.Close()
	if err != nil {
		return
	}
	defer pod.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(pod, client); closeWrite(pod); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, pod); closeWrite(client); done <- struct{}{} }()
	<-done
	<-done
}

func closeWrite(c net.Conn) {
	if t, ok := c.(*net.TCPConn); ok {
		_ = t.CloseWrite()
	}
}
