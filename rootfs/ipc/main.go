// Command ipc is minipod's stand-in for the allingeek/ch6_ipc demo image: two
// containers of one pod talk over a POSIX message queue, which only works when
// they share an IPC namespace.
//
//	ipc -producer   create the queue, send 10 random hex bytes and "done"
//	ipc -consumer   wait for the queue, print every message until "done",
//	                then remove the queue
//
// It speaks to the kernel directly (mq_open and friends are system calls on
// Linux; glibc's wrappers only strip the leading '/'), so the binary is static
// and needs nothing from the image but itself.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	doneMessage  = "done"
	queueMaxMsg  = 10
	queueMsgSize = 64
)

// mqAttr is the kernel's struct mq_attr: four longs and four reserved longs.
// Go's int has the size of a C long on every Linux port.
type mqAttr struct {
	Flags   int
	MaxMsg  int
	MsgSize int
	CurMsgs int
	_       [4]int
}

type options struct {
	producer bool
	consumer bool
	queue    string
	count    int
	wait     time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args and runs one side; it returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "ipc: %v\n", err)
		return 2
	}
	if opts.producer {
		err = produce(opts, stdout)
	} else {
		err = consume(opts, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ipc: %v\n", err)
		return 1
	}
	return 0
}

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("ipc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.producer, "producer", false, "create the queue and send messages")
	fs.BoolVar(&o.consumer, "consumer", false, "receive messages until \""+doneMessage+"\"")
	fs.StringVar(&o.queue, "queue", "mq_ipc", "message queue name (a leading '/' is optional)")
	fs.IntVar(&o.count, "count", 10, "producer: number of random messages before \""+doneMessage+"\"")
	fs.DurationVar(&o.wait, "wait", 10*time.Second, "consumer: how long to wait for the queue to appear")
	if err := fs.Parse(args); err != nil {
		return o, err // the flag package has printed the usage
	}
	err := validate(&o, fs.Args())
	if err != nil {
		fs.Usage()
	}
	return o, err
}

func validate(o *options, rest []string) error {
	if len(rest) > 0 {
		return fmt.Errorf("unexpected argument %q", rest[0])
	}
	if o.producer == o.consumer {
		return errors.New("give exactly one of -producer or -consumer")
	}
	// The kernel wants the name without the leading slash that mq_open(3) takes.
	o.queue = strings.TrimPrefix(o.queue, "/")
	if o.queue == "" || strings.Contains(o.queue, "/") || len(o.queue) > 255 {
		return fmt.Errorf("invalid queue name %q", o.queue)
	}
	if o.count < 0 {
		return fmt.Errorf("invalid -count %d", o.count)
	}
	return nil
}

func produce(o options, out io.Writer) error {
	attr := mqAttr{MaxMsg: queueMaxMsg, MsgSize: queueMsgSize}
	fd, err := mqOpen(o.queue, unix.O_WRONLY|unix.O_CREAT|unix.O_CLOEXEC, 0o600, &attr)
	if err != nil {
		return fmt.Errorf("create queue /%s: %w", o.queue, err)
	}
	defer unix.Close(fd)
	for range o.count {
		msg := fmt.Sprintf("%02x", rand.IntN(256))
		if err := mqSend(fd, []byte(msg)); err != nil {
			return fmt.Errorf("send to /%s: %w", o.queue, err)
		}
		fmt.Fprintf(out, "Produced: %s\n", msg)
	}
	if err := mqSend(fd, []byte(doneMessage)); err != nil {
		return fmt.Errorf("send to /%s: %w", o.queue, err)
	}
	fmt.Fprintf(out, "Produced: %s\n", doneMessage)
	return nil
}

func consume(o options, out io.Writer) error {
	fd, err := openWhenPresent(o.queue, o.wait)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	attr, err := mqGetAttr(fd)
	if err != nil {
		return fmt.Errorf("queue /%s attributes: %w", o.queue, err)
	}
	buf := make([]byte, max(attr.MsgSize, 1))
	for {
		n, err := mqReceive(fd, buf)
		if err != nil {
			return fmt.Errorf("receive from /%s: %w", o.queue, err)
		}
		msg := string(buf[:n])
		fmt.Fprintf(out, "Consumed: %s\n", msg)
		if msg == doneMessage {
			break
		}
	}
	if err := mqUnlink(o.queue); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove queue /%s: %w", o.queue, err)
	}
	return nil
}

// openWhenPresent opens the queue for reading, retrying while it does not
// exist yet: the producer is another container that starts in parallel.
func openWhenPresent(name string, wait time.Duration) (int, error) {
	deadline := time.Now().Add(wait)
	for {
		fd, err := mqOpen(name, unix.O_RDONLY|unix.O_CLOEXEC, 0, nil)
		if err == nil {
			return fd, nil
		}
		if !errors.Is(err, unix.ENOENT) {
			return -1, fmt.Errorf("open queue /%s: %w", name, err)
		}
		if !time.Now().Before(deadline) {
			return -1, fmt.Errorf("queue /%s does not exist after %v (is the producer running in the same IPC namespace?)", name, wait)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func mqOpen(name string, flags int, mode uint32, attr *mqAttr) (int, error) {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return -1, err
	}
	for {
		fd, _, errno := unix.Syscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(p)),
			uintptr(flags), uintptr(mode), uintptr(unsafe.Pointer(attr)), 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return -1, errno
		}
		return int(fd), nil
	}
}

func mqSend(fd int, msg []byte) error {
	var p unsafe.Pointer
	if len(msg) > 0 {
		p = unsafe.Pointer(&msg[0])
	}
	for {
		// A nil timeout blocks while the queue is full.
		_, _, errno := unix.Syscall6(unix.SYS_MQ_TIMEDSEND, uintptr(fd), uintptr(p),
			uintptr(len(msg)), 0, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
}

func mqReceive(fd int, buf []byte) (int, error) {
	for {
		n, _, errno := unix.Syscall6(unix.SYS_MQ_TIMEDRECEIVE, uintptr(fd),
			uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return 0, errno
		}
		return int(n), nil
	}
}

func mqGetAttr(fd int) (mqAttr, error) {
	var attr mqAttr
	_, _, errno := unix.Syscall(unix.SYS_MQ_GETSETATTR, uintptr(fd), 0, uintptr(unsafe.Pointer(&attr)))
	if errno != 0 {
		return attr, errno
	}
	return attr, nil
}

func mqUnlink(name string) error {
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return err
	}
	_, _, errno := unix.Syscall(unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(p)), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
