package network

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// VethPrefix starts the host-side name of every pod veth, so minipod's
// links are easy to find (`ip link | grep mp`) and to count in tests.
const VethPrefix = "mpv"

// vethName is stable per pod instance and fits IFNAMSIZ (15).
func vethName(o Owner) string { return VethName(o.Pod, o.UID) }

// VethName is the host end of the veth of pod (with that UID): a hash, so
// that any pod name fits the 15 bytes of an interface name.
func VethName(pod, uid string) string {
	sum := sha256.Sum256([]byte(pod + "/" + uid))
	return VethPrefix + hex.EncodeToString(sum[:])[:11]
}

// addVeth creates the pair with its pod end already inside the pod's
// network namespace, names it eth0 there (with PodMAC, which the guard
// table expects), gives it the address and a
// default route via the gateway. Both ends refuse IPv6 router
// advertisements before they come up.
func (c Config) addVeth(br netlink.Link, o Owner, pausePID int, ip net.IP) (string, error) {
	name := vethName(o)
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MasterIndex = name, br.Attrs().Index
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: "eth0", PeerNamespace: netlink.NsPid(pausePID), PeerHardwareAddr: PodMAC(ip)}
	if err := netlink.LinkAdd(veth); err != nil {
		return "", fmt.Errorf("create veth %s: %w", name, err)
	}
	// Hairpin: a pod that reaches its own hostPort gets its packet back
	// through the port it came in on (with br_netfilter the DNATed packet
	// is bridged, not routed), as the bridge CNI plugin's hairpinMode does.
	if err := netlink.LinkSetHairpin(veth, true); err != nil {
		return name, fmt.Errorf("set hairpin on %s: %w", name, err)
	}
	if err := refuseRouterAdverts(name); err != nil {
		return name, err
	}
	if err := netlink.LinkSetUp(veth); err != nil {
		return name, fmt.Errorf("bring %s up: %w", name, err)
	}
	return name, c.configurePodSide(pausePID, ip)
}

func (c Config) configurePodSide(pausePID int, ip net.IP) error {
	h, err := netns.GetFromPid(pausePID)
	if err != nil {
		return fmt.Errorf("open pod network namespace: %w", err)
	}
	defer h.Close()
	nl, err := netlink.NewHandleAt(h)
	if err != nil {
		return fmt.Errorf("open netlink in pod namespace: %w", err)
	}
	defer nl.Close()
	eth0, err := nl.LinkByName("eth0")
	if err != nil {
		return fmt.Errorf("find pod eth0: %w", err)
	}
	if err := nl.AddrAdd(eth0, &netlink.Addr{IPNet: &net.IPNet{IP: ip, Mask: c.Subnet.Mask}}); err != nil {
		return fmt.Errorf("add %s to pod eth0: %w", ip, err)
	}
	// Another pod on the bridge could otherwise route this one's IPv6
	// traffic through itself. The setting is only reachable from inside.
	if err := inNetNS(h, func() error { return refuseRouterAdverts("eth0") }); err != nil {
		return err
	}
	if err := nl.LinkSetUp(eth0); err != nil {
		return fmt.Errorf("bring pod eth0 up: %w", err)
	}
	if err := nl.RouteAdd(&netlink.Route{LinkIndex: eth0.Attrs().Index, Gw: c.Gateway}); err != nil {
		return fmt.Errorf("add default route via %s: %w", c.Gateway, err)
	}
	return nil
}

// delVeth removes the pod's pair (deleting one end deletes both); a pair
// already gone with its namespace is fine.
func delVeth(o Owner) error {
	l, err := netlink.LinkByName(vethName(o))
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("find veth of %s: %w", o.Pod, err)
	}
	// The kernel may be destroying it right now with the pod's network
	// namespace: gone is gone.
	if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("delete veth of %s: %w", o.Pod, err)
	}
	return nil
}

// cutVeth takes the pod's pair off the bridge: its host end is brought
// down (the pod's end has no carrier then) and leaves the bridge. The
// kernel deletes the pair once it dismantles the pod's namespace, which
// nothing holds any more. Deleting the pair here instead waits for RCU
// grace periods (~20 ms here, paid again by every `down` back to back);
// cut off, a pair is harmless meanwhile, and also for as long as
// something outside the pod keeps its namespace alive (a socket a
// container passed out over a shared volume does): `network reset`
// deletes those (deleteCutVeths). Everything is done by name, with
// ioctls on a socket of the host's namespace.
func cutVeth(o Owner) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cut veth of %s off: %w", o.Pod, err)
	}
	defer unix.Close(fd)
	name := vethName(o)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("cut veth of %s off: %w", o.Pod, err)
	}
	err = unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr)
	if err == nil {
		ifr.SetUint16(ifr.Uint16() &^ unix.IFF_UP)
		err = unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
	}
	if err == nil {
		err = leaveBridge(fd, name)
	}
	// Gone already, with the pod's namespace: nothing to cut.
	if err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("cut veth of %s off: %w", o.Pod, err)
	}
	return nil
}

// deleteCutVeths deletes the pod veths cutVeth left: down, on no bridge
// (or on bridge index br, where an older minipod left them), each is the
// pair of a deleted pod whose namespace something outside it still holds.
// The caller holds the network lock and no pod has a lease: no pod is
// being attached, and a live pod's veth is up (and on the bridge from its
// creation on).
func deleteCutVeths(br int) error {
	links, err := netlink.LinkList()
	if err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	var errs []error
	for _, l := range links {
		a := l.Attrs()
		if l.Type() != "veth" || !strings.HasPrefix(a.Name, VethPrefix) || a.Flags&net.FlagUp != 0 || a.MasterIndex != 0 && a.MasterIndex != br {
			continue
		}
		if err := netlink.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("delete veth %s: %w", a.Name, err))
		}
	}
	return errors.Join(errs...)
}

// leaveBridge takes link name off its bridge (SIOCBRDELIF on the bridge,
// by the link's index): a pair something keeps alive must not hold one of
// the bridge's ports (1024 at most) until it is let go.
func leaveBridge(fd int, name string) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return err
	}
	index := ifr.Uint32()
	master, err := os.Readlink("/sys/class/net/" + name + "/master")
	if err != nil {
		return nil // on no bridge
	}
	br, err := unix.NewIfreq(filepath.Base(master))
	if err != nil {
		return err
	}
	br.SetUint32(index)
	err = unix.IoctlIfreq(fd, unix.SIOCBRDELIF, br)
	// The kernel may be taking the pair apart meanwhile, with the pod's
	// namespace: a port gone, or no longer the bridge's, says EINVAL.
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENODEV) {
		return nil
	}
	return err
}
