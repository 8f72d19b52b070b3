package pull

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/minipod/minipod/pkg/image"
)

// Pull fetches ref from its registry into the store and records it:
// a multi-platform index is resolved to opts' platform, every blob is
// verified by digest before it is used, layers already in the store are
// neither downloaded nor unpacked again, and two pulls at once (goroutines
// or processes) download each blob once. It returns the image as Lookup
// sees it.
func Pull(ctx context.Context, s *image.Store, ref string, opts Options) (*image.Image, error) {
	r, err := image.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	repo, gref, err := remoteRef(r, opts.Insecure)
	if err != nil {
		return nil, err
	}
	puller, err := newPuller(ctx, opts)
	if err != nil {
		return nil, err
	}
	unlock, err := s.SharedLock()
	if err != nil {
		return nil, err
	}
	defer unlock()

	get := func(ref name.Reference, want string) ([]byte, error) {
		desc, err := puller.Get(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("pull %s: %w", r.Familiar(), err)
		}
		if got := image.Digest(desc.Manifest); want != "" && got != want {
			return nil, fmt.Errorf("pull %s: manifest %w", r.Familiar(), &image.DigestMismatchError{Want: want, Got: got})
		}
		return desc.Manifest, nil
	}
	data, err := get(gref, r.Digest)
	if err != nil {
		return nil, err
	}
	top := image.Digest(data)
	data, err = resolveIndex(s, data, opts.platform(), func(d image.Descriptor) ([]byte, error) {
		m, err := get(repo.Digest(d.Digest), d.Digest)
		if err != nil {
			return nil, err
		}
		return m, checkLength("manifest", d, m)
	})
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", r.Familiar(), err)
	}
	fetch := func(d image.Descriptor) (io.ReadCloser, error) {
		l, err := puller.Layer(ctx, repo.Digest(d.Digest))
		if err != nil {
			return nil, err
		}
		return l.Compressed()
	}
	p := newProgress(opts.Progress, opts.Terminal)
	defer p.stop()
	if err := commit(ctx, s, r, top, data, fetch, p, opts.jobs()); err != nil {
		return nil, fmt.Errorf("pull %s: %w", r.Familiar(), err)
	}
	return image.Lookup(s.Root, r.String())
}

// remoteRef turns a parsed reference into go-containerregistry's, plain
// HTTP only for a registry listed as insecure.
func remoteRef(r image.Ref, insecure []string) (name.Repository, name.Reference, error) {
	var nopts []name.Option
	for _, h := range insecure {
		if h == r.Domain {
			nopts = append(nopts, name.Insecure)
		}
	}
	repo, err := name.NewRepository(r.Repository(), nopts...)
	if err != nil {
		return name.Repository{}, nil, err
	}
	if r.Digest != "" {
		return repo, repo.Digest(r.Digest), nil
	}
	return repo, repo.Tag(r.Tag), nil
}

// newPuller is the registry client: credentials from the keychain, and a
// transport that refuses plain HTTP to registries not listed as insecure.
func newPuller(ctx context.Context, opts Options) (*remote.Puller, error) {
	kc := opts.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	rt := opts.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	insecure := map[string]bool{}
	for _, h := range opts.Insecure {
		insecure[h] = true
	}
	return remote.NewPuller(remote.WithAuthFromKeychain(kc), remote.WithContext(ctx),
		remote.WithTransport(httpGuard{rt: manifestLimit{rt}, insecure: insecure}), remote.WithUserAgent("minipod"))
}

// resolveIndex returns the image manifest for the platform when data is an
// index (storing the index blob), else data itself. get reads the blob of a
// descriptor, no longer than it declares; resolveIndex checks the declared
// size first.
func resolveIndex(s *image.Store, data []byte, plat image.Platform, get func(image.Descriptor) ([]byte, error)) ([]byte, error) {
	for depth := 0; ; depth++ {
		var probe struct {
			MediaType string            `json:"mediaType"`
			Manifests []json.RawMessage `json:"manifests"`
		}
		if err := json.Unmarshal(data, &probe); err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		if !image.IsIndex(probe.MediaType) && probe.Manifests == nil {
			return data, nil
		}
		if depth > 2 {
			return nil, fmt.Errorf("image indexes nested too deep")
		}
		var idx image.Index
		if err := json.Unmarshal(data, &idx); err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		if _, err := s.PutBlob(data); err != nil {
			return nil, err
		}
		d, err := pickPlatform(idx, plat)
		if err != nil {
			return nil, err
		}
		if err := checkDescriptor("manifest", d, maxJSONBlob); err != nil {
			return nil, err
		}
		if data, err = get(d); err != nil {
			return nil, err
		}
	}
}

// pickPlatform selects the manifest for plat: same OS and architecture,
// and the same variant when both name one.
func pickPlatform(idx image.Index, plat image.Platform) (image.Descriptor, error) {
	var have []string
	for _, m := range idx.Manifests {
		p := m.Platform
		if p == nil {
			continue
		}
		have = append(have, platformString(*p))
		if p.OS == plat.OS && p.Architecture == plat.Architecture &&
			(p.Variant == "" || plat.Variant == "" || p.Variant == plat.Variant) {
			return m, nil
		}
	}
	return image.Descriptor{}, fmt.Errorf("no image for platform %s in the index (it has: %v)", platformString(plat), have)
}

func platformString(p image.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}
