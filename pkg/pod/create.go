package pod

import (
	"errors"
	"slices"

	"fmt"
	"golang.org/x/sys/unix"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/store"
)

// CreateOptions are the flags of `minipod create configmap|secret generic`.
type CreateOptions struct {
	Name        string
	FromFile    []string // [KEY=]PATH; a directory gives each regular file in it
	FromLiteral []string // KEY=VALUE
	Type        string   // a Secret's type
	Out         io.Writer
}

// CreateConfigMap makes a ConfigMap from files and literals as `kubectl
// create configmap` does: text goes to data, other bytes to binaryData.
func CreateConfigMap(o CreateOptions) error {
	data, err := gather(o)
	if err != nil {
		return err
	}
	cm := &podspec.ConfigMap{TypeMeta: podspec.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: podspec.ObjectMeta{Name: o.Name, Namespace: podspec.DefaultNamespace}}
	for k, v := range data {
		if utf8.Valid(v) {
			setString(&cm.Data, k, string(v))
		} else {
			setBytes(&cm.BinaryData, k, v)
		}
	}
	m := podspec.NewManifest()
	m.ConfigMaps[o.Name] = cm
	return create(m, store.ConfigMaps, o, func(s store.Store) error { return s.CreateConfigMap(cm) })
}

// CreateSecret makes a generic Secret as `kubectl create secret generic`.
func CreateSecret(o CreateOptions) error {
	data, err := gather(o)
	if err != nil {
		return err
	}
	sec := &podspec.Secret{TypeMeta: podspec.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: podspec.ObjectMeta{Name: o.Name, Namespace: podspec.DefaultNamespace}, Type: o.Type, Data: data}
	m := podspec.NewManifest()
	m.Secrets[o.Name] = sec
	return create(m, store.Secrets, o, func(s store.Store) error { return s.CreateSecret(sec) })
}

// create checks the object as the API server would (through the
// manifest's own validation) and stores it unless it exists.
func create(m *podspec.Manifest, k store.Kind, o CreateOptions, store1 func(store.Store) error) error {
	if err := podspec.ValidateObjects(m); err != nil {
		return fmt.Errorf("create %s: %w", k.Name, err)
	}
	if err := store1(store.New(roots)); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "%s/%s created\n", k.Name, o.Name)
	return nil
}

// gather reads --from-file and --from-literal into keys; a key given
// twice is an error, as kubectl's.
func gather(o CreateOptions) (map[string][]byte, error) {
	if o.Name == "" {
		return nil, fmt.Errorf("NAME is required")
	}
	data := map[string][]byte{}
	add := func(k string, v []byte) error {
		if _, dup := data[k]; dup {
			return fmt.Errorf("cannot add key %q, another key by that name already exists", k)
		}
		data[k] = v
		return nil
	}
	for _, lit := range o.FromLiteral {
		k, v, ok := strings.Cut(lit, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--from-literal %q: want KEY=VALUE", lit)
		}
		if err := add(k, []byte(v)); err != nil {
			return nil, err
		}
	}
	for _, f := range o.FromFile {
		if err := readSource(f, add); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// readSource reads one --from-file: KEY=PATH, PATH (the key is its base
// name), or a directory (each regular file in it, by name). A path named
// on the command line is followed as kubectl follows it; a directory's
// entries are opened relative to it without following links, and only
// regular files are read: the directory may be one a container writes
// (a claim's volume), which could swap in a link to a host file.
func readSource(src string, add func(string, []byte) error) error {
	key, path, named := strings.Cut(src, "=")
	if !named {
		key, path = filepath.Base(src), src
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("--from-file: open %s: %w", path, err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("--from-file: %w", err)
	}
	if !fi.IsDir() {
		return readKey(key, f, add)
	}
	if named {
		return fmt.Errorf("--from-file %q: a directory takes no key", src)
	}
	names, err := f.Readdirnames(-1)
	if err != nil {
		return fmt.Errorf("--from-file: %w", err)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := readEntry(fd, path, n, add); err != nil {
			return err
		}
	}
	return nil
}

// readEntry reads one entry of a --from-file directory if it is a regular
// file (links and subdirectories are skipped, as kubectl skips them).
func readEntry(dirfd int, dir, name string, add func(string, []byte) error) error {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil // a link
	}
	if err != nil {
		return fmt.Errorf("--from-file: open %s: %w", filepath.Join(dir, name), err)
	}
	f := os.NewFile(uintptr(fd), filepath.Join(dir, name))
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	return readKey(name, f, add)
}

// readKey reads one open regular file, bounded by the 1 MiB an object may
// hold; what is not a regular file (a FIFO that would block, a device)
// is refused.
func readKey(key string, f *os.File, add func(string, []byte) error) error {
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("--from-file: %s is not a regular file", f.Name())
	}
	b, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	if err != nil {
		return fmt.Errorf("--from-file: read %s: %w", f.Name(), err)
	}
	if len(b) > 1<<20 {
		return fmt.Errorf("--from-file: %s is larger than the 1 MiB an object may hold", f.Name())
	}
	return add(key, b)
}

func setString(m *map[string]string, k, v string) {
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[k] = v
}

func setBytes(m *map[string][]byte, k string, v []byte) {
	if *m == nil {
		*m = map[string][]byte{}
	}
	(*m)[k] = v
}
