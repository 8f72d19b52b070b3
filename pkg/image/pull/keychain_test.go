package pull

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/minipod/minipod/pkg/image/pullreq"
)

func TestSecretKeychain(t *testing.T) {
	k := secrets([]pullreq.Auth{
		{Host: "index.docker.io", Username: "hub", Password: "h"},
		{Host: "reg.example:5000", Auth: "dTpw"}, // u:p
		{Host: "*.corp.example", Username: "w", Password: "x"},
	})
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
		a, err := k.Resolve(r.Context())
		if err != nil {
			t.Fatal(err)
		}
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
	if Keychain(nil) != authn.DefaultKeychain {
		t.Error("no auths: want the node's docker config alone")
	}
}

// TestSecretKeychainSkipsUnreadable: an entry whose "auth" is not base64
// is left out (before, the Secret that held it was), so the next match, or
// in the end the node's own credentials, are used instead of a broken one.
func TestSecretKeychainSkipsUnreadable(t *testing.T) {
	k := secrets([]pullreq.Auth{
		{Host: "registry.corp.example", Auth: "!!not base64"},
		{Host: "*.corp.example", Username: "w", Password: "x"},
	})
	if len(k) != 1 {
		t.Fatalf("kept %d entries, want 1", len(k))
	}
	r, err := name.ParseReference("registry.corp.example/x")
	if err != nil {
		t.Fatal(err)
	}
	a, err := k.Resolve(r.Context())
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := a.Authorization(); err != nil || cfg.Username != "w" {
		t.Errorf("got %+v, %v; want the wildcard's user", cfg, err)
	}
}
