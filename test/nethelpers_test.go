package test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/userdata"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// What the tests know of minipod's pod network (pkg/network's defaults).
const (
	netStateDir = "/var/lib/minipod/network"
	podBridge   = "minipod0"
	podGateway  = "10.89.0.1"
	natTable    = "minipod"
	vethPrefix  = "mpv"
)

var (
	podSubnet = func() *net.IPNet { _, n, _ := net.ParseCIDR("10.89.0.0/16"); return n }()
	vethRE    = regexp.MustCompile(`^mpv[0-9a-f]{11}$`)
)

// portsHanded are the host ports freeHostPort gave out in this process, so
// that tests running in parallel never pick the same one.
var (
	portsMu     sync.Mutex
	portsHanded = map[int]bool{}
)

// freeHostPort returns a port that nothing on the host listens on (for
// proto "tcp" or "udp"), that no minipod pod reserved as a hostPort, and
// that no other test of this binary got.
func freeHostPort(t testing.TB, proto string) int {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 500 {
		p := 20000 + rand.IntN(12000)
		if portsHanded[p] || portReserved(p) || !bindable(p) {
			continue
		}
		portsHanded[p] = true
		return p
	}
	t.Fatalf("no free %s port found", proto)
	return 0
}

// bindable tells whether both TCP and UDP port p are free on every address.
func bindable(p int) bool {
	addr := ":" + strconv.Itoa(p)
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		return false
	}
	l.Close()
	u, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return false
	}
	u.Close()
	return true
}

func portReserved(p int) bool {
	for _, proto := range []string{"tcp", "udp", "sctp"} {
		if m, _ := filepath.Glob(filepath.Join(netStateDir, "ports", proto+"_"+strconv.Itoa(p)+"_*")); len(m) > 0 {
			return true
		}
	}
	return false
}

// ownedFiles lists the files of dir (leases or ports) whose first word is
// pod: "<pod> <uid>".
func ownedFiles(dir, pod string) []string {
	ents, _ := os.ReadDir(filepath.Join(netStateDir, dir))
	var out []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(netStateDir, dir, e.Name()))
		if err != nil {
			continue
		}
		if f := strings.Fields(string(b)); len(f) > 0 && f[0] == pod {
			out = append(out, dir+"/"+e.Name())
		}
	}
	return out
}

func leasesOf(pod string) []string { return ownedFiles("leases", pod) }
func portsOf(pod string) []string  { return ownedFiles("ports", pod) }

// natRulesOf lists the rules of table ip minipod that carry pod's comment
// (none when the table does not exist). It reads the table with the nft
// binary when there is one, else over netlink.
func natRulesOf(t testing.TB, pod string) []string {
	t.Helper()
	comment := "minipod:pod=" + pod
	if nft, err := exec.LookPath("nft"); err == nil {
		var out, errb bytes.Buffer
		cmd := exec.Command(nft, "list", "table", "ip", natTable)
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			if strings.Contains(errb.String(), "No such file or directory") {
				return nil
			}
			t.Fatalf("nft list table ip %s: %v: %s", natTable, err, errb.String())
		}
		var rules []string
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, `comment "`+comment+`"`) {
				rules = append(rules, strings.TrimSpace(l))
			}
		}
		return rules
	}
	c, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := c.ListTableOfFamily(natTable, nftables.TableFamilyIPv4)
	if err != nil {
		return nil // no table
	}
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		t.Fatalf("list nft chains: %v", err)
	}
	var rules []string
	for _, ch := range chains {
		if ch.Table.Name != tab.Name {
			continue
		}
		rs, err := c.GetRules(tab, ch)
		if err != nil {
			continue // the chain went away meanwhile
		}
		for _, r := range rs {
			if s, _ := userdata.GetString(r.UserData, userdata.TypeComment); s == comment {
				rules = append(rules, fmt.Sprintf("%s rule handle %d comment %q", ch.Name, r.Handle, s))
			}
		}
	}
	return rules
}

// podNet is what a pod got from the pod network.
type podNet struct {
	name string
	ip   string
	veth string // host end of the pod's veth pair
}

// upNetPod runs `up -d` as upPod does, then finds the pod's address and the
// host end of its veth. When the test ends, after the pod was downed and
// checked by upPod's cleanup, it checks the pod left nothing on the network.
func upNetPod(t *testing.T, name, text string) *podNet {
	t.Helper()
	pn := &podNet{name: name}
	t.Cleanup(func() { checkNetGone(t, pn) }) // runs after upPod's down
	upPod(t, name, text)
	pn.ip = podIPOf(t, name)
	pn.veth = podVeth(t, name)
	return pn
}

// podIPOf is status.podIP of `get -o json`, required to be set.
func podIPOf(t testing.TB, name string) string {
	t.Helper()
	p := getPod(t, name)
	if net.ParseIP(p.Status.PodIP).To4() == nil {
		t.Fatalf("pod %s: status.podIP %q is not an IPv4 address", name, p.Status.PodIP)
	}
	return p.Status.PodIP
}

// podVeth returns the name of the host end of the pod's eth0, found through
// the pod's network namespace: eth0's link index is its peer's index on
// the host. It also checks the host end is named mpv<11 hex> and enslaved
// to the bridge.
func podVeth(t testing.TB, name string) string {
	t.Helper()
	st, err := readState(name)
	if err != nil {
		t.Fatalf("pod %s: %v", name, err)
	}
	h, err := openPodNetNS(st)
	if err != nil {
		t.Fatalf("pod %s: open its network namespace: %v", name, err)
	}
	defer h.Close()
	nl, err := netlink.NewHandleAt(h)
	if err != nil {
		t.Fatalf("pod %s: netlink in its namespace: %v", name, err)
	}
	defer nl.Close()
	eth0, err := nl.LinkByName("eth0")
	if err != nil {
		t.Fatalf("pod %s has no eth0: %v", name, err)
	}
	if eth0.Type() != "veth" {
		t.Errorf("pod %s: eth0 is a %s, want a veth", name, eth0.Type())
	}
	host, err := netlink.LinkByIndex(eth0.Attrs().ParentIndex)
	if err != nil {
		t.Fatalf("pod %s: host end (index %d) of eth0: %v", name, eth0.Attrs().ParentIndex, err)
	}
	if !vethRE.MatchString(host.Attrs().Name) {
		t.Errorf("pod %s: host end of the veth is %q, want mpv<11 hex>", name, host.Attrs().Name)
	}
	if br, err := netlink.LinkByName(podBridge); err != nil {
		t.Errorf("no bridge %s while pod %s runs: %v", podBridge, name, err)
	} else if host.Attrs().MasterIndex != br.Attrs().Index {
		t.Errorf("pod %s: %s is not on bridge %s", name, host.Attrs().Name, podBridge)
	}
	return host.Attrs().Name
}

// netTraces lists what the pod still holds on the node's network.
func netTraces(t testing.TB, pn *podNet) []string {
	t.Helper()
	var out []string
	if pn.veth != "" {
		if _, err := netlink.LinkByName(pn.veth); err == nil {
			out = append(out, "link "+pn.veth)
		}
	}
	for _, f := range append(leasesOf(pn.name), portsOf(pn.name)...) {
		out = append(out, "file "+filepath.Join(netStateDir, f))
	}
	for _, r := range natRulesOf(t, pn.name) {
		out = append(out, "nft rule: "+r)
	}
	return out
}

// checkNetGone fails the test if, after a short grace, the pod still has a
// veth, a lease, a hostPort reservation or a NAT rule.
func checkNetGone(t testing.TB, pn *podNet) {
	t.Helper()
	var left []string
	deadline := time.Now().Add(5 * time.Second)
	for {
		left = netTraces(t, pn)
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(150 * time.Millisecond)
	}
	for _, l := range left {
		t.Errorf("pod %s left behind on the network: %s", pn.name, l)
	}
}

// mpvLinks lists the names of the host's pod veths (mpv*) and, for each,
// whether its peer lives in the host's own network namespace.
func mpvLinks(t testing.TB) map[string]bool {
	t.Helper()
	ls := dumped(t, "list links", netlink.LinkList)
	out := map[string]bool{}
	for _, l := range ls {
		if a := l.Attrs(); strings.HasPrefix(a.Name, vethPrefix) {
			out[a.Name] = a.NetNsID < 0
		}
	}
	return out
}

// podVethOwners maps the host end of every live pod's veth to the pod,
// reading where each pod's network namespace is held from /run/minipod.
func podVethOwners() map[string]string {
	out := map[string]string{}
	ents, _ := os.ReadDir("/run/minipod")
	for _, e := range ents {
		st, err := readState(e.Name())
		if err != nil {
			continue
		}
		func() {
			h, err := openPodNetNS(st)
			if err != nil {
				return
			}
			defer h.Close()
			nl, err := netlink.NewHandleAt(h)
			if err != nil {
				return
			}
			defer nl.Close()
			eth0, err := nl.LinkByName("eth0")
			if err != nil {
				return
			}
			if host, err := netlink.LinkByIndex(eth0.Attrs().ParentIndex); err == nil {
				out[host.Attrs().Name] = e.Name()
			}
		}()
	}
	return out
}

// orphanVeths lists mpv links that were not in before and belong to no live
// pod (retrying a little, since other tests create pods meanwhile).
func orphanVeths(t testing.TB, before map[string]bool) []string {
	t.Helper()
	var orphans []string
	for try := 0; try < 10; try++ {
		orphans = orphans[:0]
		owners := podVethOwners()
		for l := range mpvLinks(t) {
			if _, old := before[l]; !old && owners[l] == "" {
				orphans = append(orphans, l)
			}
		}
		if len(orphans) == 0 {
			return nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	sort.Strings(orphans)
	return orphans
}

// nodeIPv4 is the node's first global IPv4 address outside the pod network
// (the node's address as a Kubernetes node would report it).
func nodeIPv4(t testing.TB) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 || i.Flags&net.FlagUp == 0 || i.Name == podBridge || strings.HasPrefix(i.Name, vethPrefix) {
			continue
		}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsGlobalUnicast() && !podSubnet.Contains(n.IP) {
				return n.IP.String()
			}
		}
	}
	t.Skip("the node has no non-loopback IPv4 address")
	return ""
}

// httpClient never uses a proxy: the tests talk to the node and its pods.
var httpClient = &http.Client{
	Timeout:   3 * time.Second,
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
}

// httpGet returns the body of a GET of url, which must answer 200.
func httpGet(url string) (string, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(b), fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(b), nil
}

// waitHTTP waits until GET url answers a body that is want once trimmed.
func waitHTTP(t testing.TB, url, want string, timeout time.Duration) {
	t.Helper()
	var body string
	var err error
	deadline := time.Now().Add(timeout)
	for {
		body, err = httpGet(url)
		if err == nil && strings.TrimSpace(body) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: want %q within %v; last got %q, error %v", url, want, timeout, body, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mpPlain runs minipod without a testing.T, for use from other goroutines.
func mpPlain(args ...string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{args: args, stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return r, fmt.Errorf("minipod %s: timed out", strings.Join(args, " "))
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		return r, err
	}
	return r, nil
}

// inNetNS runs fn on a thread that is inside the network namespace h, and
// puts the thread back into the test's namespace afterwards. A thread that
// cannot be put back is not reused (its goroutine ends locked).
func inNetNS(h netns.NsHandle, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(h); err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		ferr := fn()
		if err := netns.Set(orig); err != nil {
			errc <- errors.Join(ferr, fmt.Errorf("back to the test's namespace: %w", err))
			return // the thread stays locked and dies with the goroutine
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// vethIntoNewNS makes an unnamed network namespace and a veth pair with
// hostEnd on the host and peerEnd in that namespace; the link and the
// namespace go when the test ends. Unnamed: a named one (ip netns add)
// mounts /run/netns on a host that had none, a mount no test may leave.
func vethIntoNewNS(t *testing.T, hostEnd, peerEnd string) netns.NsHandle {
	t.Helper()
	ns, err := newNetNS()
	if err != nil {
		t.Fatalf("new network namespace: %v", err)
	}
	t.Cleanup(func() { ns.Close() })
	attrs := netlink.NewLinkAttrs()
	attrs.Name = hostEnd
	if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: attrs, PeerName: peerEnd, PeerNamespace: netlink.NsFd(int(ns))}); err != nil {
		t.Fatalf("create veth %s: %v", hostEnd, err)
	}
	t.Cleanup(func() {
		if l, err := netlink.LinkByName(hostEnd); err == nil {
			if err := netlink.LinkDel(l); err != nil {
				t.Errorf("delete %s: %v", hostEnd, err)
			}
		}
	})
	return ns
}

// newNetNS makes a new, unnamed network namespace (it lives as long as the
// handle or a socket in it).
func newNetNS() (netns.NsHandle, error) {
	type res struct {
		h   netns.NsHandle
		err error
	}
	c := make(chan res, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			runtime.UnlockOSThread()
			c <- res{netns.None(), err}
			return
		}
		defer orig.Close()
		h, err := netns.New() // unshare(CLONE_NEWNET): this thread is now in it
		if err != nil {
			runtime.UnlockOSThread()
			c <- res{netns.None(), err}
			return
		}
		if err := netns.Set(orig); err != nil {
			c <- res{h, fmt.Errorf("back to the test's namespace: %w", err)}
			return // the thread stays locked and dies with the goroutine
		}
		runtime.UnlockOSThread()
		c <- res{h, nil}
	}()
	r := <-c
	return r.h, r.err
}

// dumped is what a netlink dump lists, the dump made again while the
// kernel says it was interrupted: other tests' veths come and go meanwhile.
func dumped[T any](t testing.TB, what string, list func() ([]T, error)) []T {
	t.Helper()
	var out []T
	var err error
	for range 5 {
		if out, err = list(); !errors.Is(err, netlink.ErrDumpInterrupted) {
			break
		}
	}
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return out
}

// v4Routes and v4Addrs are the host's IPv4 routes and addresses.
func v4Routes() ([]netlink.Route, error) { return netlink.RouteList(nil, netlink.FAMILY_V4) }
func v4Addrs() ([]netlink.Addr, error)   { return netlink.AddrList(nil, netlink.FAMILY_V4) }
