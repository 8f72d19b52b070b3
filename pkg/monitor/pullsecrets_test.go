package monitor

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/minipod/minipod/pkg/podspec"
)

func TestSecretKeychain(t *testing.T) {
	sec := &podspec.Secret{Type: podspec.SecretTypeDockerConfigJSON, Data: map[string][]byte{".dockerconfigjson": []byte(
		`{"auths":{"https://index.docker.io/v1/":{"username":"hub","password":"h"},"reg.example:5000":{"auth":"dTpw"},"*.corp.example":{"username":"w","password":"x"}}}`)}}
	k := secretKeychain(dockerAuths(sec))
	for ref, want := range map[string]string{
		"busybox":                         "hub",
		"reg.example:5000/a/b:1":          "u",
		"registry.corp.example/x":         "w",
		"a.b.corp.example/x":              "",
		"reg.example/no-port":             "",
		"docker.io/library/busybox:1.36":  "hub",
		"index.docker.io/library/busybox": "hub",
	} {
		r, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := k.Resolve(r.Context())
		cfg, err := a.Authorization()
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Username; got != want {
			t.Errorf("%s: user %q, want %q", ref, got, want)
		}
		if want == "" && a != authn.Anonymous {
			t.Errorf("%s: want anonymous", ref)
		}
	}
	old := &podspec.Secret{Type: podspec.SecretTypeDockercfg, Data: map[string][]byte{".dockercfg": []byte(`{"old.example":{"username":"o","password":"p"}}`)}}
	if a := dockerAuths(old); len(a) != 1 || a[0].host != "old.example" || a[0].cfg.Username != "o" {
		t.Errorf("dockercfg: %+v", a)
	}
}
