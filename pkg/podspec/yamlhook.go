package podspec

import "errors"

// YAMLDocument is one document of a manifest as a YAML decoder gives it:
// its value as plain Go values (maps with keys of any type, slices,
// scalars; nil for an empty document) and the paths of the keys it
// repeats.
type YAMLDocument struct {
	Value      any
	Duplicates []string
}

// decodeYAML is the decoder Parse uses, set by package yamlin (UseYAML).
// The pod's monitor, which never parses a manifest, links no YAML parser:
// it would cost every pod ~130 kB.
var decodeYAML func(data []byte) ([]YAMLDocument, error)

// UseYAML sets the YAML decoder of Parse; package yamlin calls it when
// it is linked.
func UseYAML(decode func(data []byte) ([]YAMLDocument, error)) { decodeYAML = decode }

// ErrNoYAML: this program links no YAML decoder (see decodeYAML).
var ErrNoYAML = errors.New("this program cannot read YAML manifests")
