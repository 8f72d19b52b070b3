package pull

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/minipod/minipod/pkg/image"
)

// maxJSONBlob bounds what is read into memory whole: manifests, indexes and
// image configs. 4 MiB is the most the reference registry (distribution)
// accepts for a manifest on push, so no registry serves a larger one; a
// config is a few kilobytes, a few hundred with a long history.
const maxJSONBlob = 4 << 20

// checkDescriptor refuses a descriptor without a positive size, or with one
// over max, before anything is fetched: the size is what bounds the read.
func checkDescriptor(what string, d image.Descriptor, max int64) error {
	switch {
	case d.Size == 0:
		return fmt.Errorf("%s %s: the descriptor declares no size", what, d.Digest)
	case d.Size < 0:
		return fmt.Errorf("%s %s: the descriptor declares an invalid size %d", what, d.Digest, d.Size)
	case d.Size > max:
		return fmt.Errorf("%s %s: the descriptor declares %d bytes, more than the %d allowed", what, d.Digest, d.Size, max)
	}
	return nil
}

// checkLength compares a blob read whole (by a client that bounds it) with
// the size its descriptor declares.
func checkLength(what string, d image.Descriptor, data []byte) error {
	if int64(len(data)) != d.Size {
		return fmt.Errorf("%s %s: %d bytes, its descriptor declares %d", what, d.Digest, len(data), d.Size)
	}
	return nil
}

// atMost reads at most left bytes of r, and fails with tooLong when r has
// more rather than ending quietly: a truncated blob must not pass for a
// whole one.
type atMost struct {
	r       io.Reader
	left    int64
	tooLong error
}

func (a *atMost) Read(p []byte) (int, error) {
	if a.left <= 0 {
		var one [1]byte
		if n, err := a.r.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, a.tooLong
	}
	if int64(len(p)) > a.left {
		p = p[:a.left]
	}
	n, err := a.r.Read(p)
	a.left -= int64(n)
	return n, err
}

// exactReader yields exactly size bytes of r and fails when r ends sooner
// or has more, so a blob is never read past its declared size.
type exactReader struct {
	atMost
	size int64
}

func exactly(r io.Reader, size int64) io.Reader {
	return &exactReader{atMost{r: r, left: size,
		tooLong: fmt.Errorf("longer than the %d bytes its descriptor declares", size)}, size}
}

func (e *exactReader) Read(p []byte) (int, error) {
	n, err := e.atMost.Read(p)
	if errors.Is(err, io.EOF) && e.left > 0 {
		return n, fmt.Errorf("shorter than the %d bytes its descriptor declares (%d read)", e.size, e.size-e.left)
	}
	return n, err
}

// manifestLimit bounds the body of every manifest a registry sends: a
// manifest fetched by tag has no descriptor to declare its size.
// go-containerregistry reads up to 100 MiB of one into memory.
type manifestLimit struct {
	rt http.RoundTripper
}

func (m manifestLimit) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.rt.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || !strings.Contains(req.URL.Path, "/manifests/") {
		return resp, err
	}
	if resp.ContentLength > maxJSONBlob {
		resp.Body.Close()
		return nil, fmt.Errorf("manifest %s: %d bytes, more than the %d allowed", req.URL.Path, resp.ContentLength, maxJSONBlob)
	}
	resp.Body = limitedBody{&atMost{r: resp.Body, left: maxJSONBlob,
		tooLong: fmt.Errorf("manifest %s: more than the %d bytes allowed", req.URL.Path, maxJSONBlob)}, resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// tarSizes lists the size of every entry of a tar archive, from the headers
// alone (archive/tar seeks over the content of a file), so that the JSON a
// docker-save archive holds can be checked before go-containerregistry
// reads it whole.
func tarSizes(file string) (map[string]int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sizes := map[string]int64{}
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return sizes, nil
		}
		if err != nil {
			return nil, fmt.Errorf("not a tar archive: %w", err)
		}
		sizes[path.Clean(hdr.Name)] = hdr.Size
	}
}

// checkArchiveJSON refuses an archive entry read into memory whole that is
// larger than maxJSONBlob.
func checkArchiveJSON(sizes map[string]int64, name string) error {
	if n := sizes[path.Clean(name)]; n > maxJSONBlob {
		return fmt.Errorf("%s: %d bytes, more than the %d allowed", name, n, maxJSONBlob)
	}
	return nil
}
