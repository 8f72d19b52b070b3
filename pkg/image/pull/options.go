// Package pull fetches images into minipod's image store (pkg/image): from
// registries (Pull) and from archives (Load). It is the only package that
// links go-containerregistry; the store, Lookup and layer extraction live in
// pkg/image.
package pull

import (
	"fmt"
	"io"
	"net/http"
	"runtime"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/nodeconfig"
)

// ConfigFile is minipod's configuration file; Pull reads its
// `insecure-registries = host:port,host2` line.
const ConfigFile = nodeconfig.DefaultFile

// Options tune Pull and Load. The zero value pulls over HTTPS with the
// docker credentials of the user, for this machine's platform, silently.
type Options struct {
	// Insecure lists registries (host[:port]) that may be reached over
	// plain HTTP. No other registry is, not even localhost.
	Insecure []string
	// Platform picks the manifest of a multi-platform index; default
	// linux/GOARCH.
	Platform *image.Platform
	// Progress receives progress lines; nil is silent. Terminal makes them
	// one updating line per layer.
	Progress io.Writer
	Terminal bool
	// Keychain finds registry credentials; default authn.DefaultKeychain
	// (~/.docker/config.json, $DOCKER_CONFIG).
	Keychain authn.Keychain
	// Transport is the HTTP transport (tests); default http.DefaultTransport.
	Transport http.RoundTripper
	// Jobs is how many layers are fetched and unpacked at once; default 3.
	Jobs int
	// Tag names an untagged image of an archive given to Load.
	Tag string
}

func (o *Options) platform() image.Platform {
	if o.Platform != nil {
		return *o.Platform
	}
	p := image.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if runtime.GOARCH == "arm64" {
		p.Variant = "v8"
	}
	return p
}

func (o *Options) jobs() int {
	if o.Jobs > 0 {
		return o.Jobs
	}
	return 3
}

// InsecureRegistries is every registry the node allows over plain HTTP:
// the node setting insecure-registries (a comma-separated line in
// /etc/minipod/config, or MINIPOD_INSECURE_REGISTRIES, handy for a test's
// own registry and inherited by the pod monitor that pulls for `up`).
func InsecureRegistries() ([]string, error) {
	return nodeconfig.List("insecure-registries")
}

// httpGuard refuses plain-HTTP requests to registries not listed as
// insecure. go-containerregistry itself falls back to HTTP for localhost
// and private addresses; minipod does not, unless told to.
type httpGuard struct {
	rt       http.RoundTripper
	insecure map[string]bool
}

func (g httpGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !g.insecure[req.URL.Host] {
		return nil, fmt.Errorf("registry %s: refusing plain HTTP; list it as insecure (minipod pull --insecure-registry %s, or insecure-registries = %s in %s)",
			req.URL.Host, req.URL.Host, req.URL.Host, ConfigFile)
	}
	return g.rt.RoundTrip(req)
}
