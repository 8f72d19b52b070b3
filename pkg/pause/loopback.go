package pause

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// loopbackUp sets IFF_UP on lo with the two ioctls ip(8) would: a netlink
// library would make pause's program several times larger.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring loopback up: %w", err)
	}
	defer unix.Close(fd)
	var req [unix.IFNAMSIZ + 24]byte // struct ifreq: name, then a union
	copy(req[:], "lo")
	flags := (*uint16)(unsafe.Pointer(&req[unix.IFNAMSIZ]))
	if err := ioctl(fd, unix.SIOCGIFFLAGS, &req); err != nil {
		return fmt.Errorf("bring loopback up: read flags: %w", err)
	}
	*flags |= unix.IFF_UP
	if err := ioctl(fd, unix.SIOCSIFFLAGS, &req); err != nil {
		return fmt.Errorf("bring loopback up: %w", err)
	}
	return nil
}

func ioctl(fd int, req uint, arg *[unix.IFNAMSIZ + 24]byte) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(unsafe.Pointer(arg)))
	if errno != 0 {
		return errno
	}
	return nil
}
