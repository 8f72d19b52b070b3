package logs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultRoot is where kubelet keeps pod logs; tests pass their own root.
const DefaultRoot = "/var/log/pods"

// PodDir returns the pod's log directory under root: root/<ns>_<pod>_<uid>.
func PodDir(root, namespace, pod, uid string) string {
	return filepath.Join(root, namespace+"_"+pod+"_"+uid)
}

// Path returns the log file of one container instance:
// podDir/<container>/<restart>.log.
func Path(podDir, container string, restart int) string {
	return filepath.Join(podDir, container, strconv.Itoa(restart)+".log")
}

// notFoundError is a missing log with a user-facing message; it matches
// fs.ErrNotExist so callers can test for it without parsing text.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }
func (e *notFoundError) Unwrap() error { return fs.ErrNotExist }

// Previous returns the log file of the instance before restart, as
// `kubectl logs -p` reads it.
func Previous(podDir, container string, restart int) (string, error) {
	missing := &notFoundError{fmt.Sprintf("previous terminated container %q not found", container)}
	if restart <= 0 {
		return "", missing
	}
	path := Path(podDir, container, restart-1)
	ok, err := Exists(path)
	if err != nil {
		return "", fmt.Errorf("previous log of container %q: %w", container, err)
	}
	if !ok {
		return "", missing
	}
	return path, nil
}

// Exists tells whether an instance's log is there to read: its file, or
// only rotated ones (a rotation that could not start a new file leaves
// those; Read reads them).
func Exists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		files, lerr := listRotated(path)
		return lerr == nil && len(files) > 0, nil
	}
	return err == nil, err
}

// Latest finds the container's highest-numbered log file, which belongs to
// its current (or last) instance.
func Latest(podDir, container string) (path string, restart int, err error) {
	missing := &notFoundError{fmt.Sprintf("no log file for container %q", container)}
	entries, err := os.ReadDir(filepath.Join(podDir, container))
	if errors.Is(err, fs.ErrNotExist) {
		return "", 0, missing
	}
	if err != nil {
		return "", 0, fmt.Errorf("list logs of container %q: %w", container, err)
	}
	restart = -1
	for _, e := range entries {
		if n, ok := restartOf(e.Name()); ok && n > restart && e.Type().IsRegular() {
			restart = n
		}
	}
	if restart < 0 {
		return "", 0, missing
	}
	return Path(podDir, container, restart), restart, nil
}

// restartOf parses "<n>.log"; anything else in the directory (rotated or
// foreign files) is not an instance log.
func restartOf(name string) (int, bool) {
	digits, ok := strings.CutSuffix(name, ".log")
	if !ok || digits == "" || digits[0] < '0' || digits[0] > '9' {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}
