package infra

import (
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

// containsLine reports whether the line starting with key ends with last.
func containsLine(s, key, last string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, key) {
			f := strings.Fields(l)
			return f[len(f)-1] == last
		}
	}
	return false
}
