package pull

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"

	"github.com/klauspost/compress/zstd"
	"github.com/minipod/minipod/pkg/image"
	"golang.org/x/sync/errgroup"
)

// fetchFunc opens the content of a blob from wherever the image comes
// from; commit verifies what it returns.
type fetchFunc func(d image.Descriptor) (io.ReadCloser, error)

// commit stores an image manifest, its config and layers (fetched where
// missing, unpacked where not yet unpacked) and then records r. The
// caller holds the store's shared lock.
func commit(ctx context.Context, s *image.Store, r image.Ref, top string, manifest []byte, fetch fetchFunc, p *progress, jobs int) error {
	var m image.Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return fmt.Errorf("manifest: %w", err)
	}
	if m.SchemaVersion != 2 || m.Config.Digest == "" {
		return fmt.Errorf("manifest: unsupported (schemaVersion %d, media type %q)", m.SchemaVersion, m.MediaType)
	}
	if err := checkSizes(m); err != nil {
		return err
	}
	if err := ensureBlob(s, m.Config, fetch, nil); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	cfgData, err := s.ReadBlob(m.Config.Digest)
	if err != nil {
		return err
	}
	var cfg image.ConfigFile
	if err := json.Unmarshal(cfgData, &cfg); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return fmt.Errorf("manifest has %d layers, config %d", len(m.Layers), len(cfg.RootFS.DiffIDs))
	}
	if cfg.OS != "" && cfg.OS != "linux" || cfg.Architecture != "" && cfg.Architecture != runtime.GOARCH {
		return fmt.Errorf("image is for %s/%s, this machine is linux/%s", cfg.OS, cfg.Architecture, runtime.GOARCH)
	}
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, l := range m.Layers {
		diffID := cfg.RootFS.DiffIDs[i]
		line := p.add(l.Digest, l.Size)
		g.Go(func() error {
			return layer(s, l, diffID, fetch, line)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	md, err := s.PutBlob(manifest)
	if err != nil {
		return err
	}
	if top == "" {
		top = md
	}
	return s.Tag(r, top, md)
}

// layer makes one layer available: its blob, then its unpacked tree.
func layer(s *image.Store, l image.Descriptor, diffID string, fetch fetchFunc, line *pline) error {
	if s.HasLayer(diffID) && s.HasBlob(l.Digest) {
		line.set("already exists", -1)
		return nil
	}
	if err := ensureBlob(s, l, fetch, line); err != nil {
		line.set("failed", -1)
		return fmt.Errorf("layer %s: %w", l.Digest, err)
	}
	blob, _ := s.BlobPath(l.Digest)
	line.set("unpacking", -1)
	if _, err := s.UnpackLayer(diffID, func() (io.ReadCloser, error) { return openDecompressed(blob) }); err != nil {
		line.set("failed", -1)
		return err
	}
	line.set("done", -1)
	return nil
}

// checkSizes refuses a manifest whose config or layers declare no size, or
// more than minipod reads (maxJSONBlob for the config, which is read into
// memory; max-layer-size for a layer), before anything is downloaded.
func checkSizes(m image.Manifest) error {
	if err := checkDescriptor("config", m.Config, maxJSONBlob); err != nil {
		return err
	}
	maxLayer, err := image.MaxLayerSize()
	if err != nil {
		return err
	}
	for _, l := range m.Layers {
		if err := checkDescriptor("layer", l, maxLayer); err != nil {
			return err
		}
	}
	return nil
}

// ensureBlob fetches a blob unless the store has it, under the blob's lock:
// of two pulls wanting it at once, one downloads and the other then finds
// it in the store. Exactly d.Size bytes are read: a blob that is longer or
// shorter is an error naming it, and so is a descriptor without a size.
func ensureBlob(s *image.Store, d image.Descriptor, fetch fetchFunc, line *pline) error {
	if err := checkDescriptor("blob", d, math.MaxInt64); err != nil {
		return err
	}
	return storeBlob(s, d.Digest, d.Size, func() (io.ReadCloser, error) { return fetch(d) }, line)
}

// storeBlob copies a blob into the store unless it is there, under its
// lock. A positive size is the exact size; otherwise (an uncompressed
// layer of a docker-save archive, whose size nothing declares) at most
// max-layer-size bytes are read.
func storeBlob(s *image.Store, digest string, size int64, open func() (io.ReadCloser, error), line *pline) error {
	if s.HasBlob(digest) {
		return nil
	}
	unlock, err := s.Lock("blob-" + digest)
	if err != nil {
		return err
	}
	defer unlock()
	if s.HasBlob(digest) {
		return nil
	}
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	r := exactly(rc, size)
	if size <= 0 {
		if r, err = image.LimitLayer(rc); err != nil {
			return err
		}
	}
	if line != nil {
		line.set("downloading", 0)
		r = &countReader{r: r, line: line}
	}
	return s.WriteBlob(digest, size, r)
}

type countReader struct {
	r    io.Reader
	n    int64
	line *pline
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.line.set("downloading", c.n)
	return n, err
}

// maxZstdWindow is the largest zstd window a layer may ask for.
const maxZstdWindow = 128 << 20

// openDecompressed opens a stored layer blob as an uncompressed tar
// stream: gzip and zstd are recognised by their magic numbers.
func openDecompressed(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, err
		}
		return readCloser{zr, func() error { zr.Close(); return f.Close() }}, nil
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		// A frame names its own window, which the decoder allocates: keep
		// it to the reference decoder's default limit (128 MiB, windowLog
		// 27) instead of 512 MiB, and decode on this goroutine (layers
		// already unpack in parallel).
		zr, err := zstd.NewReader(br, zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderConcurrency(1))
		if err != nil {
			f.Close()
			return nil, err
		}
		return readCloser{zr, func() error { zr.Close(); return f.Close() }}, nil
	}
	return readCloser{br, f.Close}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r readCloser) Close() error { return r.close() }
