package pull

import (
	"encoding/json"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/minipod/minipod/pkg/image/pullreq"
)

// Keychain is auths (a pod's imagePullSecrets) tried before the node's own
// credentials (root's docker config), as the kubelet does.
func Keychain(auths []pullreq.Auth) authn.Keychain {
	if len(auths) == 0 {
		return authn.DefaultKeychain
	}
	return authn.NewMultiKeychain(secrets(auths), authn.DefaultKeychain)
}

// secrets keeps auths in their order, but for an entry
// go-containerregistry cannot read (an "auth" that is not base64 of
// user:password), which is left out as a Secret it could not parse was.
func secrets(auths []pullreq.Auth) secretKeychain {
	k := make(secretKeychain, 0, len(auths))
	for _, a := range auths {
		if cfg, ok := authConfig(a); ok {
			k = append(k, hostAuth{host: a.Host, cfg: cfg})
		}
	}
	return k
}

// authConfig reads a as go-containerregistry reads a docker config entry
// (its "auth" decoded into a user and password), from the same JSON.
func authConfig(a pullreq.Auth) (authn.AuthConfig, bool) {
	var cfg authn.AuthConfig
	b, err := json.Marshal(a)
	if err != nil || json.Unmarshal(b, &cfg) != nil {
		return authn.AuthConfig{}, false
	}
	return cfg, true
}

type hostAuth struct {
	host string
	cfg  authn.AuthConfig
}

// secretKeychain resolves a registry to the first matching credentials.
type secretKeychain []hostAuth

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
