package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// InUseFunc tells whether a pod uses the image with this ID (Image.ID) and
// names the pod.
type InUseFunc func(imageID string) (pod string, used bool)

// Remove deletes the reference ref: an OCI reference record (its blobs and
// layers stay until Prune) or a directory image's tag directory (an alias
// symlink only loses the alias). It refuses while inUse reports a pod using
// the image. It returns what was removed.
func Remove(root, ref string, inUse InUseFunc) (*Image, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	s := NewStore(root)
	rec, err := s.Record(r)
	switch {
	case err == nil:
		img := &Image{Ref: r, Digest: rec.Manifest}
		if m, _, rerr := s.ReadImage(rec.Manifest); rerr == nil {
			img.ID = m.Config.Digest
		}
		if err := refuseInUse(img, inUse); err != nil {
			return nil, err
		}
		if err := os.Remove(s.refPath(rec.Ref)); err != nil {
			return nil, err
		}
		return img, nil
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	if !r.Local() {
		return nil, fmt.Errorf("image %s: %w", r.Familiar(), ErrNotFound)
	}
	img, err := lookupDir(root, r)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", r.Familiar(), err)
	}
	if err := refuseInUse(img, inUse); err != nil {
		return nil, err
	}
	if st, err := os.Lstat(img.Dir); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return img, os.Remove(img.Dir)
	}
	if err := os.RemoveAll(img.Dir); err != nil {
		return nil, err
	}
	// Drop alias symlinks that pointed at it and now dangle.
	parent := filepath.Dir(img.Dir)
	ents, _ := os.ReadDir(parent)
	for _, e := range ents {
		p := filepath.Join(parent, e.Name())
		if e.Type()&fs.ModeSymlink != 0 && !existsFollow(p) {
			os.Remove(p)
		}
	}
	for d := parent; d != root && strings.HasPrefix(d, root); d = filepath.Dir(d) {
		if os.Remove(d) != nil { // only empty directories go
			break
		}
	}
	return img, nil
}

func refuseInUse(img *Image, inUse InUseFunc) error {
	if inUse == nil || img.ID == "" {
		return nil
	}
	if pod, used := inUse(img.ID); used {
		return fmt.Errorf("image %s is in use by pod %q (remove the pod first: minipod down %s)", img.Ref.Familiar(), pod, pod)
	}
	return nil
}

func existsFollow(p string) bool { _, err := os.Stat(p); return err == nil }

// PruneReport says what Prune removed.
type PruneReport struct {
	Blobs, Layers int
	Bytes         int64
}

// InUse is an image a pod runs from: its manifest digest.
type InUse struct{ Pod, Manifest string }

// Prune removes the blobs and unpacked layers that no recorded reference
// uses, nor any image inUse lists (those pods run from, whose tag may
// have moved on: their layers are mounted), and leftovers of interrupted
// pulls. It holds the store lock exclusively, so it waits for running
// pulls, loads and imports; inUse is asked once it holds it, so that a
// pod started meanwhile is counted.
func (s *Store) Prune(inUse func() []InUse) (PruneReport, error) {
	var rep PruneReport
	unlock, err := s.pruneLock()
	if err != nil {
		return rep, err
	}
	defer unlock()
	recs, err := s.Records()
	if err != nil {
		return rep, err
	}
	keepBlob, keepLayer := map[string]bool{}, map[string]bool{}
	keep := func(manifest string) error {
		keepBlob[manifest] = true
		m, cfg, err := s.ReadImage(manifest)
		if err != nil {
			return err
		}
		keepBlob[m.Config.Digest] = true
		for _, l := range m.Layers {
			keepBlob[l.Digest] = true
		}
		for _, d := range cfg.RootFS.DiffIDs {
			keepLayer[d] = true
		}
		return nil
	}
	for _, rec := range recs {
		keepBlob[rec.Digest] = true
		if err := keep(rec.Manifest); err != nil {
			return rep, fmt.Errorf("image %s: %w (prune refuses to guess what it uses; rmi it first)", rec.Ref, err)
		}
	}
	if inUse != nil {
		for _, u := range inUse() {
			if err := keep(u.Manifest); err != nil {
				return rep, fmt.Errorf("pod %s runs from image %s: %w (prune refuses to guess what it uses; delete the pod first: minipod down %s)", u.Pod, u.Manifest, err, u.Pod)
			}
		}
	}
	blobs, _ := os.ReadDir(s.dir("blobs", "sha256"))
	for _, e := range blobs {
		if keepBlob["sha256:"+e.Name()] {
			continue
		}
		p := s.dir("blobs", "sha256", e.Name())
		if st, err := os.Lstat(p); err == nil {
			rep.Bytes += st.Size()
		}
		if err := os.Remove(p); err != nil {
			return rep, err
		}
		rep.Blobs++
	}
	layers, _ := os.ReadDir(s.dir("layers", "sha256"))
	for _, e := range layers {
		if keepLayer["sha256:"+e.Name()] {
			continue
		}
		p := s.dir("layers", "sha256", e.Name())
		rep.Bytes += layerSize(p)
		if err := os.RemoveAll(p); err != nil {
			return rep, err
		}
		rep.Layers++
	}
	// No writer runs now: temporary files and per-digest locks can go.
	for _, d := range []string{"tmp", "locks"} {
		ents, _ := os.ReadDir(s.dir(d))
		for _, e := range ents {
			if e.Name() != "store" {
				os.RemoveAll(s.dir(d, e.Name()))
			}
		}
	}
	return rep, nil
}

// layerSize is the unpacked size recorded next to a layer's tree.
func layerSize(dir string) int64 {
	data, err := os.ReadFile(filepath.Join(dir, "size"))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	return n
}
