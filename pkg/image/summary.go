package image

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Summary is one line of `minipod images`.
type Summary struct {
	Repository string    // as docker prints it: "nginx", "localhost:5000/x"
	Tag        string    // "<none>" for digest references
	Digest     string    // what the reference resolved to; "" for directory images
	ID         string    // Image.ID
	Size       int64     // unpacked bytes (shared layers counted in every image)
	Created    time.Time // when the reference was recorded
	Ref        string    // the normalised reference, or name:tag of a directory image
}

// Summaries lists the store's images: OCI references first, then directory
// images, each group sorted.
func Summaries(root string) []Summary {
	s := NewStore(root)
	var out []Summary
	recs, _ := s.Records()
	for _, rec := range recs {
		r, err := ParseRef(rec.Ref)
		if err != nil {
			continue
		}
		sum := Summary{Repository: r.FamiliarName(), Tag: r.Tag, Digest: rec.Digest, Created: rec.Created, Ref: rec.Ref}
		if sum.Tag == "" {
			sum.Tag = "<none>"
		}
		if m, cfg, err := s.ReadImage(rec.Manifest); err == nil {
			sum.ID = m.Config.Digest
			for _, d := range cfg.RootFS.DiffIDs {
				if dir, err := s.LayerDir(d); err == nil {
					sum.Size += layerSize(dir)
				}
			}
		}
		out = append(out, sum)
	}
	dirs := dirImages(root)
	sort.Slice(dirs, func(i, j int) bool {
		return dirs[i].name < dirs[j].name || dirs[i].name == dirs[j].name && dirs[i].tag < dirs[j].tag
	})
	for _, d := range dirs {
		sum := Summary{Repository: d.name, Tag: d.tag, ID: "dir:" + d.dir, Ref: d.name + ":" + d.tag, Size: treeSize(filepath.Join(d.dir, "rootfs"))}
		if st, err := os.Stat(d.dir); err == nil {
			sum.Created = st.ModTime()
		}
		out = append(out, sum)
	}
	return out
}

// treeSize adds up the regular files of a tree.
func treeSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
