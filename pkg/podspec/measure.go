package podspec

import (
	"errors"
	"fmt"
	"io"
)

// Size limits. kubectl sends each document to the API server as JSON, and
// the API server refuses a request body over 3 MiB; minipod holds every
// document to the same limit, and bounds the whole file as well, so that
// neither reading it nor decoding it can take the machine.
const (
	// MaxManifestBytes is the API server's request-body limit
	// (apiserver's MaxRequestBodyBytes, 3 MiB): the most `up` reads. The
	// decoder (package yamlin) holds each document, as JSON with its
	// aliases expanded, to it as well, and bounds the whole file.
	MaxManifestBytes = 3 << 20
)

// ErrTooLarge is wrapped by every size-limit error.
var ErrTooLarge = errors.New("too large")

// Read reads a whole manifest from r, refusing one longer than
// MaxManifestBytes after reading at most one byte more, so that an endless
// input (/dev/zero) fails at once.
func Read(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxManifestBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxManifestBytes {
		return nil, fmt.Errorf("%w: more than %d bytes (the API server's request limit)", ErrTooLarge, MaxManifestBytes)
	}
	return data, nil
}
