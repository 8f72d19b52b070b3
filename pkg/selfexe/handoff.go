package selfexe

import (
	"fmt"
	"strconv"
	"strings"
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
