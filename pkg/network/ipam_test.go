package network

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"testing"
)

func testConfig(t *testing.T, subnet string) Config {
	t.Helper()
	c, err := newConfig("mptest0", subnet, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func lockedAllocate(c Config, o Owner, alive Alive) (net.IP, error) {
	unlock, err := c.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return c.allocate(o, alive)
}

func TestAllocateUniqueUnderConcurrency(t *testing.T) {
	c := testConfig(t, "10.77.0.0/24")
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := Owner{Pod: fmt.Sprintf("p%d", i), UID: "u"}
			ip, err := lockedAllocate(c, o, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if other, dup := seen[ip.String()]; dup {
				t.Errorf("%s handed to %s and %s", ip, other, o.Pod)
			}
			seen[ip.String()] = o.Pod
			if ip.Equal(c.Gateway) || !c.Subnet.Contains(ip) || ip.Equal(nthIP(c.Subnet, 0)) || ip.Equal(nthIP(c.Subnet, 255)) {
				t.Errorf("bad address %s", ip)
			}
		}()
	}
	wg.Wait()
}

func TestAllocateReclaimsDeadPodsAndRoundRobins(t *testing.T) {
	c := testConfig(t, "10.77.0.0/29") // hosts .2 .. .6
	dead := map[string]bool{}
	alive := func(pod, _ string) bool { return !dead[pod] }
	var ips []string
	for i := 0; i < 5; i++ {
		ip, err := lockedAllocate(c, Owner{Pod: fmt.Sprintf("p%d", i)}, alive)
		if err != nil {
			t.Fatal(err)
		}
		ips = append(ips, ip.String())
	}
	if _, err := lockedAllocate(c, Owner{Pod: "full"}, alive); err == nil {
		t.Fatal("allocated past the end of the subnet")
	}
	dead["p1"] = true // crashed: its lease is still on disk
	ip, err := lockedAllocate(c, Owner{Pod: "new"}, alive)
	if err != nil || ip.String() != ips[1] {
		t.Fatalf("reclaim = %v, %v; want %s", ip, err, ips[1])
	}
	again, _ := lockedAllocate(c, Owner{Pod: "new"}, alive)
	if !again.Equal(ip) {
		t.Errorf("a pod asking twice got %s and %s", ip, again)
	}
	unlock, _ := c.lock()
	if err := c.release("p3"); err != nil {
		t.Fatal(err)
	}
	unlock()
	leases, _ := c.Leases()
	if _, ok := leases[ips[3]]; ok {
		t.Errorf("lease %s survived release", ips[3])
	}
}

func TestPortReservations(t *testing.T) {
	c := testConfig(t, "10.77.0.0/24")
	reserve := func(pod string, m PortMapping) error {
		unlock, _ := c.lock()
		defer unlock()
		return c.reservePorts(Owner{Pod: pod}, []PortMapping{m}, nil)
	}
	tcp80 := PortMapping{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}
	if err := reserve("a", tcp80); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		m    PortMapping
		fail bool
	}{
		{tcp80, true},
		{PortMapping{HostPort: 8080, ContainerPort: 80, Protocol: "udp"}, false},
		{PortMapping{HostIP: net.ParseIP("127.0.0.1"), HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}, true},
		{PortMapping{HostPort: 8081, ContainerPort: 80, Protocol: "tcp"}, false},
	} {
		err := reserve("b", tc.m)
		var pc *PortConflictError
		if tc.fail != errors.As(err, &pc) || (tc.fail && pc.Holder != "a") {
			t.Errorf("reserve %+v: err = %v, want conflict %v", tc.m, err, tc.fail)
		}
	}
	unlock, _ := c.lock()
	_ = c.releasePorts("a")
	unlock()
	if err := reserve("b", tcp80); err != nil {
		t.Errorf("port not free after release: %v", err)
	}
}

// TestLastReservedInPlace: the round robin's record is rewritten in place,
// so a shorter address must leave nothing of a longer one behind, and a
// record another version wrote (unpadded, or longer) must still be read
// and replaced.
func TestLastReservedInPlace(t *testing.T) {
	c := testConfig(t, "10.77.0.0/24")
	for _, seed := range []string{"", "10.77.0.100", "10.77.0.100 and some tail from elsewhere\n"} {
		if seed != "" {
			if err := os.WriteFile(c.lastPath(), []byte(seed), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		for _, ip := range []string{"10.77.0.200", "10.77.0.7", "10.77.0.13"} {
			c.rememberLast(net.ParseIP(ip))
			if got := nthIP(c.Subnet, c.lastIndex()).String(); got != ip {
				b, _ := os.ReadFile(c.lastPath())
				t.Fatalf("seeded %q, remembered %s: read back %s from %q", seed, ip, got, b)
			}
		}
		if fi, err := os.Stat(c.lastPath()); err != nil || fi.Size() != int64(lastRecord) {
			t.Errorf("seeded %q: record is %v bytes (%v), want %d", seed, fi.Size(), err, lastRecord)
		}
	}
	ip, err := lockedAllocate(c, Owner{Pod: "next"}, nil)
	if err != nil || ip.String() != "10.77.0.14" {
		t.Errorf("allocate after 10.77.0.13 = %v, %v; want 10.77.0.14", ip, err)
	}
}
