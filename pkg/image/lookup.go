package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Image is an image found in the local store.
type Image struct {
	Ref    Ref
	Dir    string // the tag directory
	RootFS string // the root filesystem, used read-only as overlay lowerdir
	Config Config
}

// Config is the part of an OCI image config (image-spec's ImageConfig, same
// JSON names) that decides how a container runs. minipod keeps its own copy
// because image-spec pulls in go-digest, whose init compiles regular
// expressions in every re-executed process (about 0.4 ms each).
type Config struct {
	User       string   `json:"User,omitempty"`
	Env        []string `json:"Env,omitempty"`
	Entrypoint []string `json:"Entrypoint,omitempty"`
	Cmd        []string `json:"Cmd,omitempty"`
	WorkingDir string   `json:"WorkingDir,omitempty"`
	StopSignal string   `json:"StopSignal,omitempty"`
}

// Lookup finds ref in the store rooted at root.
func Lookup(root, ref string) (*Image, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, filepath.FromSlash(r.Name), r.Tag)
	rootfs := filepath.Join(dir, "rootfs")
	if st, err := os.Stat(rootfs); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("image %q not found in %s (known: %s; build with: make images)", ref, root, strings.Join(List(root), ", "))
	}
	img := &Image{Ref: r, Dir: dir, RootFS: rootfs}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return img, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read config of image %s: %w", r, err)
	}
	if err := json.Unmarshal(data, &img.Config); err != nil {
		return nil, fmt.Errorf("decode config of image %s: %w", r, err)
	}
	return img, nil
}

// List returns the name:tag of every image in the store, sorted.
func List(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || d.Name() != "rootfs" {
			return nil
		}
		tagDir := filepath.Dir(path)
		rel, rerr := filepath.Rel(root, filepath.Dir(tagDir))
		if rerr == nil {
			out = append(out, filepath.ToSlash(rel)+":"+filepath.Base(tagDir))
		}
		return filepath.SkipDir
	})
	sort.Strings(out)
	return out
}
