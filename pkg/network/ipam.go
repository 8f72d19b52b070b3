package network

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Alive tells whether a pod (name and UID) still exists; a lease or port
// reservation of a pod that does not can be reclaimed.
type Alive func(pod, uid string) bool

// Owner is who holds a lease or a port: "pod uid".
type Owner struct{ Pod, UID string }

func (o Owner) String() string { return o.Pod + " " + o.UID }

func parseOwner(b []byte) Owner {
	f := strings.Fields(string(b))
	o := Owner{}
	if len(f) > 0 {
		o.Pod = f[0]
	}
	if len(f) > 1 {
		o.UID = f[1]
	}
	return o
}

func (c Config) leaseDir() string { return filepath.Join(c.StateDir, "leases") }

// allocate leases the next free address after the last one handed out
// (host-local's round robin, so a just-freed address is not reused at
// once). The caller holds the lock.
func (c Config) allocate(o Owner, alive Alive) (net.IP, error) {
	if err := os.MkdirAll(c.leaseDir(), 0o700); err != nil {
		return nil, fmt.Errorf("create lease dir: %w", err)
	}
	// Walk from the last address handed out; the next one is almost
	// always free, so `up` does O(1) work however many pods there are. A
	// taken address is reclaimed on the way if its pod no longer exists.
	n := size(c.Subnet)
	start := c.lastIndex()
	for step := uint32(1); step < n; step++ {
		i := (start+step-2)%(n-3) + 2 // hosts 2..n-2: skip network, gateway, broadcast
		ip := nthIP(c.Subnet, i)
		err := c.writeLease(ip, o)
		if errors.Is(err, os.ErrExist) && c.reclaimOne(ip, o, alive) {
			err = c.writeLease(ip, o)
		}
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		c.rememberLast(ip)
		return ip, nil
	}
	return nil, fmt.Errorf("allocate pod IP: no free address left in %s", c.Subnet)
}

// reclaimOne frees the lease on ip if its pod is gone (or it is o's own,
// from an earlier attempt); it reports whether the address is free now.
func (c Config) reclaimOne(ip net.IP, o Owner, alive Alive) bool {
	p := filepath.Join(c.leaseDir(), ip.String())
	b, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	holder := parseOwner(b)
	if holder != o && (alive == nil || alive(holder.Pod, holder.UID)) {
		return false
	}
	return os.Remove(p) == nil
}
func (c Config) writeLease(ip net.IP, o Owner) error {
	f, err := os.OpenFile(filepath.Join(c.leaseDir(), ip.String()), os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(o.String() + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write lease %s: %w", ip, err)
	}
	return nil
}

// lastPath records the last address handed out: the round robin's place.
func (c Config) lastPath() string { return filepath.Join(c.StateDir, "last-reserved") }

// lastRecord is the length of the record rememberLast writes: the longest
// address, a newline.
const lastRecord = len("255.255.255.255\n")

// rememberLast records ip as the last address handed out, overwriting the
// record in place: a file truncated to nothing and written again is
// flushed to disk when closed on ext4 (auto_da_alloc), as one renamed
// over another is, 0.3 ms of every attach where os.WriteFile took 0.02 ms
// on tmpfs. Records are padded to one length, so a shorter address
// leaves no tail of a longer one; a longer file (another version's) is
// cut to the record, which is no truncation to nothing. Best effort: the
// record only says where to start looking.
func (c Config) rememberLast(ip net.IP) {
	f, err := os.OpenFile(c.lastPath(), os.O_WRONLY|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	rec := fmt.Sprintf("%-*s\n", lastRecord-1, ip.String())
	if _, err := f.WriteAt([]byte(rec), 0); err != nil {
		return
	}
	if fi, err := f.Stat(); err == nil && fi.Size() > int64(len(rec)) {
		_ = f.Truncate(int64(len(rec)))
	}
}

// lastIndex is the index of the last address handed out (1 if none).
func (c Config) lastIndex() uint32 {
	b, err := os.ReadFile(c.lastPath())
	ip := net.ParseIP(strings.TrimSpace(string(b))).To4()
	if err != nil || ip == nil || !c.Subnet.Contains(ip) {
		return 1
	}
	return ipToU32(ip) - ipToU32(c.Subnet.IP.To4())
}

// reclaim reads every lease, deleting those whose pod is gone, and returns
// the rest by address.
func (c Config) reclaim(alive Alive) (map[string]Owner, error) { return readOwned(c.leaseDir(), alive) }

// release drops the pod's leases. The caller holds the lock.
func (c Config) release(pod string) error { return removeOwned(c.leaseDir(), pod) }

// readOwned reads a directory of ownership files (leases, port
// reservations): file name → owner. With alive, files of pods that no
// longer exist are deleted instead of returned.
func readOwned(dir string, alive Alive) (map[string]Owner, error) {
	ents, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	out := map[string]Owner{}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		o := parseOwner(b)
		if alive != nil && !alive(o.Pod, o.UID) {
			_ = os.Remove(p)
			continue
		}
		out[e.Name()] = o
	}
	return out, nil
}

// removeOwned deletes every file of dir that pod owns.
func removeOwned(dir, pod string) error {
	owned, err := readOwned(dir, nil)
	if err != nil {
		return err
	}
	for name, o := range owned {
		if o.Pod == pod {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("release %s of %s: %w", name, pod, err)
			}
		}
	}
	return nil
}

// Leases lists the current leases by address (for tests and `describe`).
func (c Config) Leases() (map[string]Owner, error) {
	unlock, err := c.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return c.reclaim(nil)
}
