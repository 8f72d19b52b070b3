package image

import (
	"fmt"
	"io"
	"math"

	"github.com/minipod/minipod/pkg/nodeconfig"
)

// DefaultMaxLayerSize is the default of the node setting max-layer-size:
// 16 GiB, above the largest single layers of common images (machine
// learning images ship layers of 5-10 GB uncompressed), and far below what
// a few megabytes of gzip (about 1000:1 at best) can expand to.
const DefaultMaxLayerSize = 16 << 30

// MaxLayerSize is the node setting max-layer-size: the most bytes of
// uncompressed tar one layer may be. A layer is a stream from wherever the
// image came from, and its size is declared only compressed, so without a
// bound a small blob could fill the disk as it is unpacked.
func MaxLayerSize() (int64, error) {
	return nodeconfig.Int("max-layer-size", DefaultMaxLayerSize, 1, math.MaxInt64)
}

// LayerTooLargeError is returned when a layer's uncompressed stream passes
// max-layer-size.
type LayerTooLargeError struct {
	Limit int64
}

func (e *LayerTooLargeError) Error() string {
	return fmt.Sprintf("larger than max-layer-size (%d bytes) uncompressed; raise max-layer-size in %s if the image is trusted",
		e.Limit, nodeconfig.File())
}

// LimitLayer bounds an uncompressed layer stream by max-layer-size: reading
// past it fails with a *LayerTooLargeError.
func LimitLayer(r io.Reader) (io.Reader, error) {
	limit, err := MaxLayerSize()
	if err != nil {
		return nil, err
	}
	return &limitedLayer{r: r, left: limit, limit: limit}, nil
}

// limitedLayer reads at most limit bytes of a layer stream, then fails.
type limitedLayer struct {
	r           io.Reader
	left, limit int64
}

func (l *limitedLayer) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// At the limit: the stream may end exactly here.
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 {
			return 0, err
		}
		return 0, &LayerTooLargeError{Limit: l.limit}
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
