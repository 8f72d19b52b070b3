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

// Prune removes the logs (current and rotated files) of every instance of
// container older than keep: the kubelet keeps the current instance's and
// the previous one's (`logs -p`), so that a crash-looping container's logs
// stay bounded by two instances' rotation limits, not grow with restarts.
func Prune(podDir, container string, keep int) error {
	dir := filepath.Join(podDir, container)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("prune logs of container %q: %w", container, err)
	}
	var errs []error
	for _, e := range entries {
		if n, ok := instanceOf(e.Name()); ok && n < keep && !e.IsDir() {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("prune logs of container %q: %w", container, err)
	}
	return nil
}

// instanceOf parses the instance number of "<n>.log", "<n>.log.<time>"
// and their compressed or temporary forms.
func instanceOf(name string) (int, bool) {
	digits, rest, ok := strings.Cut(name, ".log")
	if !ok || digits == "" || rest != "" && rest[0] != '.' {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil && n >= 0
}
