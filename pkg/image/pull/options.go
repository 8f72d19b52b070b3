// Package pull fetches images into minipod's image store (pkg/image): from
// registries (Pull) and from archives (Load). It is the only package that
// links go-containerregistry; the store, Lookup and layer extraction live in
// pkg/image.
package pull

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/minipod/minipod/pkg/image"
)

// ConfigFile is minipod's configuration file; Pull reads its
// `insecure-registries = host:port,host2` line.
const ConfigFile = "/etc/minipod/config"

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
// the config file's insecure-registries line plus the comma-separated
// MINIPOD_INSECURE_REGISTRIES environment variable (handy for a test's own
// registry, and inherited by the pod monitor that pulls for `up`).
func InsecureRegistries() ([]string, error) {
	out, err := InsecureFromConfig(ConfigFile)
	if err != nil {
		return nil, err
	}
	for _, h := range strings.Split(os.Getenv("MINIPOD_INSECURE_REGISTRIES"), ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out, nil
}

// InsecureFromConfig reads the insecure-registries line of a minipod
// config file (a missing file lists none).
func InsecureFromConfig(path string) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.TrimSpace(k) != "insecure-registries" {
			continue
		}
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				out = append(out, h)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
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
