package test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// authGate makes a registry ask for one user's password, as a private
// registry does.
type authGate struct{ h http.Handler }

func (g authGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != "puller" || p != "pa55" {
		w.Header().Set("WWW-Authenticate", `Basic realm="minipod-test"`)
		http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
		return
	}
	g.h.ServeHTTP(w, r)
}

const pullSecretPod = `apiVersion: v1
kind: Secret
metadata: {name: {{NAME}}-regcred}
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: '{"auths":{"{{HOST}}":{"auth":"{{AUTH}}"}}}'
---
apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  imagePullSecrets: [{name: {{NAME}}-regcred}, {name: {{NAME}}-absent}]
  containers:
  - name: c
    image: {{IMAGE}}
    command: ["sleep", "3600"]
`

// TestImagePullSecrets: an image of a registry that wants a password is
// pulled with the pod's imagePullSecrets (a kubernetes.io/dockerconfigjson
// Secret of the same file), not without them (the registry's
// UNAUTHORIZED); a pull secret that does not exist is a warning event, as
// the kubelet's, and the pull goes on with the others.
func TestImagePullSecrets(t *testing.T) {
	root(t)
	reg := newRegistry(t)
	ref := reg.push(t, "private/"+uniq("img")+":v1", buildImage(t, v1.Config{Env: []string{defaultPath}}, busyboxLayer(t)))
	rmiAtEnd(t, ref)
	reg.handler = authGate{reg.handler} // after the push, before any pull

	bare := podName("nopullsecret")
	r := tryUp(t, bare, tmpl(sleeperPod, bare, "IMAGE", ref, "POLICY", ""), reg.env())
	if r.code == 0 || !strings.Contains(r.stderr, "UNAUTHORIZED") {
		t.Errorf("up without pull secrets: want the registry's UNAUTHORIZED, got %s", r)
	}

	name := podName("pullsecret")
	auth := base64.StdEncoding.EncodeToString([]byte("puller:pa55"))
	r = tryUp(t, name, tmpl(pullSecretPod, name, "HOST", reg.host, "AUTH", auth, "IMAGE", ref), reg.env())
	if r.code != 0 {
		t.Fatalf("up with a pull secret: %s", r)
	}
	desc := mustMP(t, "describe", name)
	for _, want := range []string{
		"Unable to retrieve some image pull secrets (" + name + "-absent); attempting to pull the image may not succeed.",
		`Successfully pulled image "` + ref + `"`,
	} {
		if !strings.Contains(desc, want) {
			t.Errorf("describe lacks %q:\n%s", want, desc)
		}
	}
}
