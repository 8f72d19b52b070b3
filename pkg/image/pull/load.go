package pull

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/minipod/minipod/pkg/image"
)

// Load stores the images of an archive: a `docker save` tarball
// (manifest.json; its RepoTags name the images) or a tar of an OCI image
// layout (index.json; images named by their io.containerd.image.name or
// org.opencontainers.image.ref.name annotation). opts.Tag names an image
// the archive leaves unnamed. It returns the references recorded.
func Load(ctx context.Context, s *image.Store, file string, opts Options) ([]string, error) {
	kind, err := archiveKind(file)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", file, err)
	}
	unlock, err := s.SharedLock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	p := newProgress(opts.Progress, opts.Terminal)
	defer p.stop()
	var refs []string
	if kind == "docker" {
		refs, err = loadDocker(ctx, s, file, opts, p)
	} else {
		refs, err = loadLayout(ctx, s, file, opts, p)
	}
	if err != nil {
		return refs, fmt.Errorf("load %s: %w", file, err)
	}
	return refs, nil
}

// archiveKind looks for manifest.json (docker) or index.json (OCI layout).
func archiveKind(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	kind := ""
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("not a tar archive: %w", err)
		}
		switch strings.TrimPrefix(hdr.Name, "./") {
		case "manifest.json":
			return "docker", nil
		case "index.json":
			kind = "oci"
		}
	}
	if kind == "" {
		return "", fmt.Errorf("neither a docker-save archive (manifest.json) nor an OCI layout (index.json)")
	}
	return kind, nil
}

// loadDocker stores each image of a docker-save archive with its layers
// as uncompressed tar blobs (digest = diffID: nothing is recompressed) and
// an OCI manifest minipod writes for them.
func loadDocker(ctx context.Context, s *image.Store, file string, opts Options, p *progress) ([]string, error) {
	opener := func() (io.ReadCloser, error) { return os.Open(file) }
	sizes, err := tarSizes(file)
	if err != nil {
		return nil, err
	}
	if err := checkArchiveJSON(sizes, "manifest.json"); err != nil {
		return nil, err
	}
	mf, err := tarball.LoadManifest(opener)
	if err != nil {
		return nil, err
	}
	var refs []string
	for _, d := range mf {
		if err := checkArchiveJSON(sizes, d.Config); err != nil {
			return refs, err
		}
		tags := d.RepoTags
		var tagp *name.Tag
		if len(tags) == 0 {
			if opts.Tag == "" || len(mf) != 1 {
				return refs, fmt.Errorf("image %s has no tag in the archive; name it with --tag", d.Config)
			}
			tags = []string{opts.Tag}
		} else {
			t, err := name.NewTag(tags[0])
			if err != nil {
				return refs, err
			}
			tagp = &t
		}
		img, err := tarball.Image(opener, tagp)
		if err != nil {
			return refs, err
		}
		manifest, fetch, err := dockerManifest(s, img)
		if err != nil {
			return refs, err
		}
		for _, t := range tags {
			r, err := image.ParseRef(t)
			if err != nil {
				return refs, err
			}
			if err := commit(ctx, s, r, "", manifest, fetch, p, opts.jobs()); err != nil {
				return refs, fmt.Errorf("image %s: %w", t, err)
			}
			refs = append(refs, r.String())
		}
	}
	return refs, nil
}

func dockerManifest(s *image.Store, img v1.Image) ([]byte, fetchFunc, error) {
	cfg, err := img.RawConfigFile()
	if err != nil {
		return nil, nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, nil, err
	}
	m := image.Manifest{SchemaVersion: 2, MediaType: image.MediaTypeOCIManifest,
		Config: image.Descriptor{MediaType: image.MediaTypeOCIConfig, Digest: image.Digest(cfg), Size: int64(len(cfg))}}
	for _, l := range layers {
		diffID, err := l.DiffID()
		if err != nil {
			return nil, nil, err
		}
		// Nothing declares the uncompressed size: storeBlob reads at most
		// max-layer-size.
		d := image.Descriptor{MediaType: image.MediaTypeOCILayer, Digest: diffID.String()}
		err = storeBlob(s, d.Digest, -1, l.Uncompressed, nil)
		if tooLarge := (*image.LayerTooLargeError)(nil); errors.As(err, &tooLarge) {
			return nil, nil, fmt.Errorf("layer %s: %w", diffID, tooLarge)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("layer %s: %w", diffID, err)
		}
		blob, _ := s.BlobPath(d.Digest)
		st, err := os.Stat(blob)
		if err != nil {
			return nil, nil, err
		}
		d.Size = st.Size()
		m.Layers = append(m.Layers, d)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, nil, err
	}
	fetch := func(d image.Descriptor) (io.ReadCloser, error) {
		if d.Digest == m.Config.Digest {
			return io.NopCloser(bytes.NewReader(cfg)), nil
		}
		return nil, fmt.Errorf("blob %s is not in the archive", d.Digest)
	}
	return data, fetch, nil
}

// loadLayout unpacks the OCI layout archive into the store's scratch space
// (with the same contained extraction as layers) and stores the images its
// index names.
func loadLayout(ctx context.Context, s *image.Store, file string, opts Options, p *progress) ([]string, error) {
	tmp, err := os.MkdirTemp(filepath.Join(s.Root, "_oci", "tmp"), "load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	lp, im, err := openLayout(file, filepath.Join(tmp, "layout"))
	if err != nil {
		return nil, err
	}
	get := func(d image.Descriptor) ([]byte, error) {
		h, err := v1.NewHash(d.Digest)
		if err != nil {
			return nil, err
		}
		rc, err := lp.Blob(h)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		data, err := io.ReadAll(exactly(rc, d.Size))
		if err != nil {
			return nil, fmt.Errorf("manifest %s: %w", d.Digest, err)
		}
		if got := image.Digest(data); got != d.Digest {
			return nil, fmt.Errorf("manifest %s: %w", d.Digest, &image.DigestMismatchError{Want: d.Digest, Got: got})
		}
		return data, nil
	}
	fetch := func(d image.Descriptor) (io.ReadCloser, error) {
		h, err := v1.NewHash(d.Digest)
		if err != nil {
			return nil, err
		}
		return lp.Blob(h)
	}
	var refs []string
	for _, desc := range im.Manifests {
		refName := archiveRefName(desc, opts.Tag, len(im.Manifests))
		if refName == "" || !strings.ContainsAny(refName, ":/") {
			return refs, fmt.Errorf("image %s has no full name in the archive (ref.name %q); name it with --tag", desc.Digest, refName)
		}
		r, err := image.ParseRef(refName)
		if err != nil {
			return refs, err
		}
		top := image.Descriptor{MediaType: string(desc.MediaType), Digest: desc.Digest.String(), Size: desc.Size}
		if err := checkDescriptor("manifest", top, maxJSONBlob); err != nil {
			return refs, err
		}
		data, err := get(top)
		if err != nil {
			return refs, err
		}
		if data, err = resolveIndex(s, data, opts.platform(), get); err != nil {
			return refs, err
		}
		if err := commit(ctx, s, r, desc.Digest.String(), data, fetch, p, opts.jobs()); err != nil {
			return refs, fmt.Errorf("image %s: %w", refName, err)
		}
		refs = append(refs, r.String())
	}
	return refs, nil
}

// openLayout unpacks an OCI-layout archive into dir and reads its index.
func openLayout(file, dir string) (layout.Path, *v1.IndexManifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", nil, err
	}
	_, err = image.Extract(dir, f)
	f.Close()
	if err != nil {
		return "", nil, err
	}
	lp, err := layout.FromPath(dir)
	if err != nil {
		return "", nil, err
	}
	// go-containerregistry reads index.json whole.
	if st, err := os.Stat(filepath.Join(dir, "index.json")); err == nil && st.Size() > maxJSONBlob {
		return "", nil, fmt.Errorf("index.json: %d bytes, more than the %d allowed", st.Size(), maxJSONBlob)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		return "", nil, err
	}
	im, err := idx.IndexManifest()
	return lp, im, err
}

// archiveRefName is the name an archive gives an image (containerd's or
// the OCI annotation), or --tag when the archive holds one image.
func archiveRefName(desc v1.Descriptor, tag string, images int) string {
	if tag != "" && images == 1 {
		return tag
	}
	if n := desc.Annotations["io.containerd.image.name"]; n != "" {
		return n
	}
	return desc.Annotations["org.opencontainers.image.ref.name"]
}
