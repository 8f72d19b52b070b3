package monitor

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/minipod/minipod/pkg/image/pullreq"
	"github.com/minipod/minipod/pkg/podspec"
)

// pullAuths is the pod's imagePullSecrets' credentials, which the puller
// tries before the node's own (root's docker config), as the kubelet does.
// A Secret that is missing or of another type is a warning event, and the
// pull goes on without it. It runs on the loop (events), before the pull
// goes off it.
func (mon *monitor) pullAuths() []pullreq.Auth {
	var auths []pullreq.Auth
	var missing []string
	for _, ref := range mon.pod.Spec.ImagePullSecrets {
		sec, err := mon.objs.Secret(mon.pod.Namespace, ref.Name)
		if err != nil {
			missing = append(missing, ref.Name)
			continue
		}
		auths = append(auths, dockerAuths(sec)...)
	}
	if len(missing) > 0 && !mon.warnedPullSecrets {
		mon.warnedPullSecrets = true
		mon.st.AddEvent("Warning", "FailedToRetrieveImagePullSecret", "",
			"Unable to retrieve some image pull secrets ("+strings.Join(missing, ", ")+"); attempting to pull the image may not succeed.")
	}
	return auths
}

// dockerAuths reads a kubernetes.io/dockerconfigjson ({"auths": {...}})
// or kubernetes.io/dockercfg ({...}) Secret; the API server checked the
// JSON.
func dockerAuths(sec *podspec.Secret) []pullreq.Auth {
	var auths map[string]pullreq.Auth
	switch sec.Type {
	case podspec.SecretTypeDockerConfigJSON:
		var cfg struct {
			Auths map[string]pullreq.Auth `json:"auths"`
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
	// Keys in reverse order, as the kubelet sorts them: the first match
	// wins, the same each time, and a host before a *.domain pattern
	// covering it.
	out := make([]pullreq.Auth, 0, len(auths))
	keys := slices.Sorted(maps.Keys(auths))
	slices.Reverse(keys)
	for _, key := range keys {
		a := auths[key]
		a.Host = registryHost(key)
		out = append(out, a)
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
