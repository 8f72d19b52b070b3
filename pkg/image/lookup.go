package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/minipod/minipod/pkg/leanjson"
)

// ErrNotFound is returned (wrapped) when a reference names no local image.
var ErrNotFound = errors.New("image not found")

// Image is an image found in the local store.
type Image struct {
	Ref    Ref
	ID     string   // "sha256:<config digest>" (OCI) or "dir:<tag directory>"
	Digest string   // image manifest digest; "" for directory images
	Dir    string   // directory images: the tag directory
	Layers []string // unpacked layer trees, lowest first: overlay lowerdirs
	RootFS string   // the top layer (the whole tree for directory images)
	Config Config
}

// Config is the part of an OCI image config (image-spec's ImageConfig, same
// JSON names) that decides how a container runs. minipod keeps its own copy
// because image-spec pulls in go-digest, whose init compiles regular
// expressions in every re-executed process (about 0.4 ms each).
type Config struct {
	User         string              `json:"User,omitempty"`
	Env          []string            `json:"Env,omitempty"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	StopSignal   string              `json:"StopSignal,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"` // informational
	Labels       map[string]string   `json:"Labels,omitempty"`
}

// Lookup finds ref in the store rooted at root: an OCI image recorded under
// that reference first, else (for Docker Hub names without a digest) a
// directory image <root>/<name>/<tag>. The error wraps ErrNotFound when
// neither exists.
func Lookup(root, ref string) (*Image, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	s := NewStore(root)
	rec, err := s.Record(r)
	if err == nil {
		return s.load(r, rec)
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if r.Local() {
		if img, err := lookupDir(root, r); err == nil || !errors.Is(err, ErrNotFound) {
			return img, err
		}
	}
	return nil, fmt.Errorf("image %q %w in %s (known: %s; pull it with: minipod pull %s)",
		ref, ErrNotFound, root, strings.Join(List(root), ", "), r.Familiar())
}

// load reads an OCI image's manifest and config and checks that its layers
// are unpacked.
func (s *Store) load(r Ref, rec Record) (*Image, error) {
	m, cfg, err := s.ReadImage(rec.Manifest)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", r, err)
	}
	img := &Image{Ref: r, ID: m.Config.Digest, Digest: rec.Manifest, Config: cfg.Config}
	for _, d := range cfg.RootFS.DiffIDs {
		dir, err := s.LayerDir(d)
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", r, err)
		}
		rootfs := filepath.Join(dir, "rootfs")
		if _, err := os.Lstat(rootfs); err != nil {
			return nil, fmt.Errorf("image %s: layer %s is not unpacked (pull the image again): %w", r, d, err)
		}
		img.Layers = append(img.Layers, rootfs)
	}
	if len(img.Layers) == 0 {
		return nil, fmt.Errorf("image %s has no layers", r)
	}
	img.RootFS = img.Layers[len(img.Layers)-1]
	return img, nil
}

// ReadImage reads (and verifies) an image manifest and its config, with
// leanjson like lookupDir: a monitor decodes these once, for its pod's
// start, where encoding/json would first build its caches of the types.
func (s *Store) ReadImage(manifest string) (*Manifest, *ConfigFile, error) {
	data, err := s.ReadBlob(manifest)
	if err != nil {
		return nil, nil, fmt.Errorf("manifest %s: %w", manifest, err)
	}
	var m Manifest
	if err := leanjson.Unmarshal(data, &m); err != nil {
		return nil, nil, fmt.Errorf("manifest %s: %w", manifest, err)
	}
	data, err = s.ReadBlob(m.Config.Digest)
	if err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", m.Config.Digest, err)
	}
	var cfg ConfigFile
	if err := leanjson.Unmarshal(data, &cfg); err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", m.Config.Digest, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, nil, fmt.Errorf("manifest %s has %d layers, its config %d", manifest, len(m.Layers), len(cfg.RootFS.DiffIDs))
	}
	return &m, &cfg, nil
}

func lookupDir(root string, r Ref) (*Image, error) {
	dir := filepath.Join(root, filepath.FromSlash(r.FamiliarName()), r.Tag)
	rootfs := filepath.Join(dir, "rootfs")
	if st, err := os.Stat(rootfs); err != nil || !st.IsDir() {
		return nil, ErrNotFound
	}
	img := &Image{Ref: r, ID: "dir:" + dir, Dir: dir, RootFS: rootfs, Layers: []string{rootfs}}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return img, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config of image %s: %w", r.Familiar(), err)
	}
	if err := leanjson.Unmarshal(data, &img.Config); err != nil {
		return nil, fmt.Errorf("decode config of image %s: %w", r.Familiar(), err)
	}
	return img, nil
}

// List returns every image in the store, sorted: OCI references and
// directory images, as docker prints them ("nginx:latest",
// "localhost:5000/x:1").
func List(root string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	recs, _ := NewStore(root).Records()
	for _, rec := range recs {
		if r, err := ParseRef(rec.Ref); err == nil {
			add(r.Familiar())
		}
	}
	for _, d := range dirImages(root) {
		add(d.name + ":" + d.tag)
	}
	sort.Strings(out)
	return out
}

type dirImage struct{ name, tag, dir string }

// dirImages finds the directory images: <root>/<name>/<tag>/rootfs, where
// <tag> may be a symlink to another tag directory (an alias).
func dirImages(root string) []dirImage {
	var out []dirImage
	add := func(tagDir string) {
		rel, err := filepath.Rel(root, filepath.Dir(tagDir))
		if err == nil && rel != "." {
			out = append(out, dirImage{name: filepath.ToSlash(rel), tag: filepath.Base(tagDir), dir: tagDir})
		}
	}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil || path == root:
			return nil
		case d.IsDir() && strings.HasPrefix(d.Name(), "_"):
			return filepath.SkipDir // the OCI store
		case d.IsDir() && d.Name() == "rootfs":
			add(filepath.Dir(path))
			return filepath.SkipDir
		case d.Type()&fs.ModeSymlink != 0:
			if st, err := os.Stat(filepath.Join(path, "rootfs")); err == nil && st.IsDir() {
				add(path)
			}
		}
		return nil
	})
	return out
}
