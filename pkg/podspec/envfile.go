package podspec

import (
	"errors"
	"fmt"
	"strings"
)

// MaxEnvFile is the largest env file a fileKeyRef reads (the KEP's limit).
const MaxEnvFile = 64 << 10

// ErrNoEnvFile is an env file that is not in its volume.
var ErrNoEnvFile = errors.New("no such file")

// EnvFileValue finds key in an env file as the kubelet reads one: a strict
// subset of shell syntax in which every value is in single quotes, kept
// literally (newlines included, so a value may span lines). Blank lines
// and lines starting with '#' are skipped, leading blanks too; nothing
// may stand between a name and its '='; a blank right after the '='
// makes the value empty (as the shell would); after the closing quote only
// blanks or a comment may follow. The first assignment of key is the one
// taken; a malformed line before it is an error.
func EnvFileValue(data []byte, key string) (value string, found bool, err error) {
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r") // CRLF lines, as the kubelet's line scanner takes them
	}
	for i := 0; i < len(lines); i++ {
		line := strings.TrimLeft(lines[i], " \t")
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, "=")
		switch {
		case !ok:
			return "", false, fmt.Errorf("line %d: no '='", i+1)
		case name == "":
			return "", false, fmt.Errorf("line %d: no variable name", i+1)
		case strings.TrimRight(name, " \t") != name:
			return "", false, fmt.Errorf("line %d: blank before '='", i+1)
		case rest != "" && (rest[0] == ' ' || rest[0] == '\t'):
			if name == key {
				return "", true, nil
			}
			continue
		case rest == "" || rest[0] != '\'':
			// Not the name: it is the container's text, of any length.
			return "", false, fmt.Errorf("line %d: the value is not in single quotes", i+1)
		}
		val, end, err := quoted(lines, i, rest[1:])
		if err != nil {
			return "", false, err
		}
		if name == key {
			return val, true, nil
		}
		i = end
	}
	return "", false, nil
}

// quoted reads a single-quoted value that starts on line first (after its
// opening quote, rest) and may run over the lines after it; end is the
// line it closes on.
func quoted(lines []string, first int, rest string) (value string, end int, err error) {
	var b strings.Builder
	for i := first; ; {
		if q := strings.IndexByte(rest, '\''); q >= 0 {
			b.WriteString(rest[:q])
			if after := strings.TrimLeft(rest[q+1:], " \t"); after != "" && after[0] != '#' {
				return "", 0, fmt.Errorf("line %d: more after the closing quote", i+1)
			}
			return b.String(), i, nil
		}
		b.WriteString(rest)
		if i++; i >= len(lines) {
			return "", 0, fmt.Errorf("line %d: the quote is never closed", first+1)
		}
		b.WriteByte('\n')
		rest = lines[i]
	}
}
