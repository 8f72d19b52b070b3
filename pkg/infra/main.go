package infra

import (
	"fmt"
	"os"
	"os/signal"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Main is the pause process. args are os.Args[2:]: the hostname.
func Main(args []string) {
	status := os.NewFile(3, "status")
	if err := setup(args); err != nil {
		fmt.Fprintf(status, "%v\n", err)
		os.Exit(1)
	}
	fmt.Fprintln(status, "ok")
	status.Close()
	os.Exit(wait())
}

func setup(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: minipod pause HOSTNAME")
	}
	if args[0] == "" {
		return os.Chdir("/") // hostNetwork: the node's UTS and network
	}
	if err := unix.Sethostname([]byte(args[0])); err != nil {
		return fmt.Errorf("set hostname %q: %w", args[0], err)
	}
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("find loopback: %w", err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		return fmt.Errorf("bring loopback up: %w", err)
	}
	// Leave the monitor's working directory so we never pin a mount.
	return os.Chdir("/")
}

// wait sleeps until SIGTERM or SIGINT, reaping any child that is re-parented
// to us (we are PID 1 of a shared PID namespace, or nothing is).
func wait() int {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGCHLD)
	for s := range sigs {
		if s == unix.SIGCHLD {
			reap()
			continue
		}
		return 0
	}
	return 42
}

func reap() {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
	}
}
