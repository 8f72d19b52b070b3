package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Record is what the store keeps under a reference: the digest the
// reference resolved to (an index for multi-platform images, as docker's
// RepoDigest) and the platform's image manifest.
type Record struct {
	Ref      string    `json:"ref"`      // normalised reference
	Digest   string    `json:"digest"`   // what the reference resolved to
	Manifest string    `json:"manifest"` // image manifest for this platform
	Created  time.Time `json:"created"`
}

func (s *Store) refPath(ref string) string { return s.dir("refs", url.PathEscape(ref)) }

// Tag records ref -> manifest atomically (temp file, rename). The manifest
// and everything it names must already be in the store.
func (s *Store) Tag(r Ref, digest, manifest string) error {
	if _, err := hexOf(manifest); err != nil {
		return err
	}
	if err := s.Init(); err != nil {
		return err
	}
	rec := Record{Ref: r.String(), Digest: digest, Manifest: manifest, Created: time.Now().UTC()}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir("tmp"), "ref-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), s.refPath(rec.Ref))
}

// Untag removes a reference record (its content stays until Prune).
func (s *Store) Untag(r Ref) error {
	err := os.Remove(s.refPath(r.String()))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("image %s: %w", r, ErrNotFound)
	}
	return err
}

// Record returns the record of a reference. A digest reference also
// matches a record of the same repository whose digest or manifest is that
// digest (`pull nginx` then `name@sha256:<that digest>`).
func (s *Store) Record(r Ref) (Record, error) {
	var rec Record
	data, err := os.ReadFile(s.refPath(r.String()))
	if err == nil {
		if err := json.Unmarshal(data, &rec); err != nil {
			return rec, fmt.Errorf("image store: reference %s: %w", r, err)
		}
		return rec, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return rec, err
	}
	if r.Digest != "" {
		recs, _ := s.Records()
		for _, c := range recs {
			cr, perr := ParseRef(c.Ref)
			if perr == nil && cr.Repository() == r.Repository() && (c.Digest == r.Digest || c.Manifest == r.Digest) {
				return c, nil
			}
		}
	}
	return rec, fmt.Errorf("image %s: %w", r, ErrNotFound)
}

// Records lists every reference in the store, sorted by reference.
func (s *Store) Records() ([]Record, error) {
	ents, err := os.ReadDir(s.dir("refs"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(s.dir("refs"), e.Name()))
		if err != nil {
			continue // removed meanwhile
		}
		var rec Record
		if json.Unmarshal(data, &rec) == nil && rec.Ref != "" {
			out = append(out, rec)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return out, nil
}
