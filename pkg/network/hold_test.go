package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestVerifyHostIPs(t *testing.T) {
	natTestNetNS(t) // only lo is up: 127.0.0.0/8 is local, nothing else
	for _, ok := range []net.IP{nil, net.IPv4zero, net.IPv6unspecified, net.ParseIP("127.0.0.1"), net.ParseIP("127.0.0.2")} {
		if err := verifyHostIPs([]PortMapping{{HostIP: ok, HostPort: 80, Protocol: "tcp"}}); err != nil {
			t.Errorf("hostIP %v: %v", ok, err)
		}
	}
	for _, bad := range []string{"192.0.2.10", "127.255.255.255", "::1", "fd00::1"} {
		m := PortMapping{HostIP: net.ParseIP(bad), HostPort: 80, Protocol: "tcp", Field: "spec.containers[1].ports[2]"}
		err := verifyHostIPs([]PortMapping{{HostPort: 81, Protocol: "tcp"}, m})
		var pe *PortError
		if !errors.As(err, &pe) || pe.Field != "spec.containers[1].ports[2].hostIP" || pe.Value != m.HostIP.String() {
			t.Errorf("hostIP %s: got %v, want an error naming spec.containers[1].ports[2].hostIP", bad, err)
		}
	}
}

// natTestFreePort is a port that TCP and UDP can both bind on 127.0.0.1 in
// the test's namespace.
func natTestFreePort(t *testing.T) uint16 {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

func TestHoldPortsRefusesHostSockets(t *testing.T) {
	natTestNetNS(t)
	self := fmt.Sprintf("pid %d", os.Getpid())
	refused := func(m PortMapping, want ...string) {
		t.Helper()
		m.Field = "spec.containers[0].ports[3]"
		h, err := holdPorts([]PortMapping{m})
		if err == nil {
			h.Close()
			t.Errorf("hold %+v succeeded", m)
			return
		}
		var pe *PortError
		if !errors.As(err, &pe) || pe.Field != "spec.containers[0].ports[3].hostPort" {
			t.Errorf("hold %+v: %v, want an error naming the hostPort field", m, err)
		}
		for _, w := range append(want, self) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("hold %+v: %q does not name %q", m, err, w)
			}
		}
	}
	tcp := natTestFreePort(t)
	l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(int(tcp)))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	refused(PortMapping{HostPort: tcp, Protocol: "tcp"}, "listener 127.0.0.1:"+strconv.Itoa(int(tcp)))

	udp := natTestFreePort(t)
	u, err := net.ListenPacket("udp4", "127.0.0.1:"+strconv.Itoa(int(udp)))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	refused(PortMapping{HostPort: udp, Protocol: "udp"}, "listener 127.0.0.1:"+strconv.Itoa(int(udp)))

	// An IPv6 wildcard socket takes IPv4 too, so it keeps 127.0.0.1.
	dual := natTestFreePort(t)
	l6, err := net.Listen("tcp", "[::]:"+strconv.Itoa(int(dual)))
	if err != nil {
		t.Fatal(err)
	}
	defer l6.Close()
	refused(PortMapping{HostIP: net.ParseIP("127.0.0.1"), HostPort: dual, Protocol: "tcp"}, "listener [::]:"+strconv.Itoa(int(dual)))

	// A socket a child shares (as a forked child holds every descriptor
	// until it execs): both processes are named, the one that bound it too.
	shared := natTestFreePort(t)
	ls, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(int(shared)))
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	f, err := ls.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command("sleep", "30")
	child.ExtraFiles = []*os.File{f}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	refused(PortMapping{HostPort: shared, Protocol: "tcp"}, fmt.Sprintf(`process "sleep", pid %d`, child.Process.Pid))

	// The same port on TCP is no conflict for UDP.
	h, err := holdPorts([]PortMapping{{HostPort: tcp, Protocol: "udp"}})
	if err != nil {
		t.Errorf("hold UDP on a port only TCP uses: %v", err)
	}
	h.Close()
}

// A held port keeps host services off it, even ones that set SO_REUSEADDR
// (Go's listeners do), until the hold is closed; the pod's own mappings
// do not collide with each other; connections left in TIME_WAIT do not
// keep a port.
func TestHoldPortsKeepsPortsUntilClosed(t *testing.T) {
	natTestNetNS(t)
	p := natTestFreePort(t)
	natTestTimeWait(t, p)
	addr := "127.0.0.1:" + strconv.Itoa(int(p))
	h, err := holdPorts([]PortMapping{
		{HostPort: p, Protocol: "tcp"},
		{HostIP: net.ParseIP("127.0.0.1"), HostPort: p, Protocol: "tcp"},
		{HostPort: p, Protocol: "udp"},
		{HostPort: p, Protocol: "udp"},
	})
	if err != nil {
		t.Fatalf("holdPorts: %v", err)
	}
	if l, err := net.Listen("tcp4", addr); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("TCP listen on held %s: %v, want EADDRINUSE", addr, err)
		if err == nil {
			l.Close()
		}
	}
	if u, err := net.ListenPacket("udp4", addr); !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("UDP bind on held %s: %v, want EADDRINUSE", addr, err)
		if err == nil {
			u.Close()
		}
	}
	if err := h.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := h.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Fatalf("listen on %s after Close: %v", addr, err)
	}
	l.Close()
	u, err := net.ListenPacket("udp4", addr)
	if err != nil {
		t.Fatalf("UDP bind on %s after Close: %v", addr, err)
	}
	u.Close()
}

// natTestTimeWait leaves a connection to 127.0.0.1:p in TIME_WAIT on the
// server side (which closed first), then closes the server.
func natTestTimeWait(t *testing.T, p uint16) {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(int(p)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp4", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	s.Close()
	_, _ = io.ReadAll(c) // the server's FIN
	c.Close()
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		for _, s := range readSockets("/proc/thread-self/net/tcp") {
			if s.addr.Port() == p && s.state == tcpTimeWait {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no TIME_WAIT socket on port %d", p)
		}
	}
}

// natTestProcAddr prints addr as the kernel does in /proc/net/tcp: each
// 32-bit word of the address in host byte order, in hex, then the port.
func natTestProcAddr(addr netip.AddrPort) string {
	var b strings.Builder
	raw := addr.Addr().AsSlice()
	for i := 0; i < len(raw); i += 4 {
		fmt.Fprintf(&b, "%08X", binary.NativeEndian.Uint32(raw[i:]))
	}
	return fmt.Sprintf("%s:%04X", b.String(), addr.Port())
}

func TestDescribeOwners(t *testing.T) {
	owners := []owner{{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}, {5, "e"}}
	if got, want := describeOwners(owners[:1]), `process "a", pid 1`; got != want {
		t.Errorf("one owner: %q, want %q", got, want)
	}
	if got, want := describeOwners(owners), `process "a", pid 1; process "b", pid 2; process "c", pid 3; and 2 more`; got != want {
		t.Errorf("five owners: %q, want %q", got, want)
	}
}

func TestParseProcAddr(t *testing.T) {
	for _, want := range []string{"127.0.0.1:8080", "0.0.0.0:80", "[::1]:80", "[::ffff:127.0.0.1]:80", "[fd00::1:2]:65535"} {
		in := natTestProcAddr(netip.MustParseAddrPort(want))
		got, ok := parseProcAddr(in)
		if !ok || got.String() != want {
			t.Errorf("parseProcAddr(%s) = %v, %v; want %s", in, got, ok, want)
		}
	}
	if runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" {
		if got, _ := parseProcAddr("0100007F:1F90"); got.String() != "127.0.0.1:8080" {
			t.Errorf("parseProcAddr of a little-endian kernel's 127.0.0.1:8080: %v", got)
		}
	}
	if _, ok := parseProcAddr("zz:1"); ok {
		t.Error("parseProcAddr accepted garbage")
	}
	lo := net.ParseIP("127.0.0.1")
	for a, want := range map[string]bool{"127.0.0.1": true, "0.0.0.0": true, "::": true, "::ffff:127.0.0.1": true, "::1": false, "10.0.0.1": false} {
		if got := overlaps(netip.MustParseAddr(a), lo); got != want {
			t.Errorf("overlaps(%s, 127.0.0.1) = %v", a, got)
		}
	}
}
