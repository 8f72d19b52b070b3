package nodeconfig

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// DefaultFile is where the node's settings live. MINIPOD_CONFIG names
// another file (tests use their own).
const DefaultFile = "/etc/minipod/config"

// File is the settings file this process reads.
func File() string {
	if f := os.Getenv("MINIPOD_CONFIG"); f != "" {
		return f
	}
	return DefaultFile
}

// EnvName is the environment variable that overrides key.
func EnvName(key string) string {
	return "MINIPOD_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// Lookup returns the value of key: the environment's if set, else the
// file's last line for it. ok is false when neither sets it. A file that
// exists but cannot be read is an error, not an empty setting: a node
// policy must not silently fall back to its default.
func Lookup(key string) (value string, ok bool, err error) {
	if v, set := os.LookupEnv(EnvName(key)); set && v != "" {
		return strings.TrimSpace(v), true, nil
	}
	return lookupFile(File(), key)
}

func lookupFile(path, key string) (string, bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	var value string
	found := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, cut := strings.Cut(line, "=")
		if cut && strings.TrimSpace(k) == key {
			value, found = strings.TrimSpace(v), true
		}
	}
	if err := sc.Err(); err != nil {
		return "", false, fmt.Errorf("read %s: %w", path, err)
	}
	return value, found, nil
}

// String returns key's value, or def when it is not set.
func String(key, def string) (string, error) {
	v, ok, err := Lookup(key)
	if err != nil || !ok {
		return def, err
	}
	return v, nil
}

// Int returns key's value as a decimal integer within [lo, hi], or def
// when it is not set.
func Int(key string, def, lo, hi int64) (int64, error) {
	v, ok, err := Lookup(key)
	if err != nil || !ok {
		return def, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("node setting %s = %q in %s: must be an integer from %d to %d", key, v, File(), lo, hi)
	}
	return n, nil
}

// List returns key's value split at commas, blanks dropped.
func List(key string) ([]string, error) {
	v, _, err := Lookup(key)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}
