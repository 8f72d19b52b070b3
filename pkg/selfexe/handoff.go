package selfexe

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// FitsBelow checks that a child exec'd from exe, a descriptor's path
// (/proc/self/fd/N), is handed at most N files. Go's fork puts a child's
// i-th file at fd i before execve opens the path: one file more and fd N
// is no longer the program but whatever was handed there, with no error
// to say so. Any other path fits.
func FitsBelow(exe string, files int) error {
	n, ok := strings.CutPrefix(exe, "/proc/self/fd/")
	if !ok {
		return nil
	}
	fd, err := strconv.Atoi(n)
	if err != nil || files <= fd {
		return nil
	}
	return fmt.Errorf("exec %s with %d files: the files would cover the program's descriptor", exe, files)
}

// OpenClear opens path (a program, to exec as /proc/self/fd/N) at a
// descriptor N that Go's fork of a child handed files leaves alone until
// execve opens it. Before it arranges the files the fork moves its error
// pipe, and every file whose place is above its number, onto the numbers
// that follow the larger of len(files) and the highest one handed: at
// most len(files) of them. A number picked before the files were (a
// monitor with a hundred descriptors) could be one of those, and the exec
// would open a pipe.
func OpenClear(path string, files []uintptr) (int, error) {
	top := len(files)
	for _, f := range files {
		if int(f) > top {
			top = int(f)
		}
	}
	low := max(clearFloor, top+len(files)+1)
	fd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	defer unix.Close(fd)
	return unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, low)
}

// clearFloor is the lowest number OpenClear picks, far above the handful
// of places a child's files go to.
const clearFloor = 100
