package monitor

import (
	"encoding/json"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/minipod/minipod/pkg/podspec"
)

// pullKeychain is the pod's imagePullSecrets' credentials, tried before
// the node's own (root's docker config), as the kubelet does. A Secret that
// is missing or of another type is a warning event, and the pull goes on
// without it. It runs on the loop (events), before the pull goes off it.
func (mon *monitor) pullKeychain() authn.Keychain {
	var k secretKeychain
	var missing []string
	for _, ref := range mon.pod.Spec.ImagePullSecrets {
		sec, err := mon.objs.Secret(mon.pod.Namespace, ref.Name)
		if err != nil {
			missing = append(missing, ref.Name)
			continue
		}
		k = append(k, dockerAuths(sec)...)
	}
	if len(missing) > 0 && !mon.warnedPullSecrets {
		mon.warnedPullSecrets = true
		mon.st.AddEvent("Warning", "FailedToRetrieveImagePullSecret", "",
			"Unable to retrieve some image pull secrets ("+strings.Join(missing, ", ")+"); attempting to pull the image may not succeed.")
	}
	if len(k) == 0 {
		return authn.DefaultKeychain
	}
	return authn.NewMultiKeychain(k, authn.DefaultKeychain)
}

// dockerAuth is one registry's credentials from a docker config.
type dockerAuth struct {
	host string // host[:port], or *.domain
	cfg  authn.AuthConfig
}

// dockerAuths reads a kubernetes.io/dockerconfigjson ({"auths": {...}})
// or kubernetes.io/dockercfg ({...}) Secret; the API server checked the
// JSON.
func dockerAuths(sec *podspec.Secret) []dockerAuth {
	var auths map[string]authn.AuthConfig
	switch sec.Type {
	case podspec.SecretTypeDockerConfigJSON:
		var cfg struct {
			Auths map[string]authn.AuthConfig `json:"auths"`
		}
		if json.Unmarshal(sec.Data[".dockerconfigjson"], &cfg) != nil {
			return nil
		}
		auths = cfg.Auths
	case podspec.SecretTypeDockercfg:
		if json.Unmarshal(sec.Data[".dockercfg"], &auths) != nil {
			return nil
		}
	}
	var out []dockerAuth
	for key, cfg := range auths {
		out = append(out, dockerAuth{host: registryHost(key), cfg: cfg})
	}
	return out
}

// registryHost turns a docker config key ("https://index.docker.io/v1/",
// "registry:5000", "docker.io") into the registry's host as references
// name it.
func registryHost(key string) string {
	if _, rest, ok := strings.Cut(key, "://"); ok {
		key = rest
	}
	key, _, _ = strings.Cut(key, "/")
	if key == "docker.io" || key == "registry-1.docker.io" {
		return "index.docker.io"
	}
	return key
}

// secretKeychain resolves a registry to the first matching credentials.
type secretKeychain []dockerAuth

func (k secretKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	reg := r.RegistryStr()
	for _, a := range k {
		if hostMatches(a.host, reg) {
			return authn.FromConfig(a.cfg), nil
		}
	}
	return authn.Anonymous, nil
}

// hostMatches: exactly, or a "*.domain" pattern matching one label more
// (the kubelet's glob on the first label).
func hostMatches(pattern, host string) bool {
	if pattern == host {
		return true
	}
	suffix, ok := strings.CutPrefix(pattern, "*")
	if !ok || !strings.HasPrefix(suffix, ".") || !strings.HasSuffix(host, suffix) {
		return false
	}
	return !strings.Contains(strings.TrimSuffix(host, suffix), ".")
}
