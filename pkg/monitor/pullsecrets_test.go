package monitor

import (
	"testing"

	"github.com/minipod/minipod/pkg/image/pullreq"
	"github.com/minipod/minipod/pkg/podspec"
)

func TestDockerAuths(t *testing.T) {
	sec := &podspec.Secret{Type: podspec.SecretTypeDockerConfigJSON, Data: map[string][]byte{".dockerconfigjson": []byte(
		`{"auths":{"https://index.docker.io/v1/":{"username":"hub","password":"h"},"reg.example:5000":{"auth":"dTpw","host":"evil.example"},"*.corp.example":{"username":"w","password":"x"}}}`)}}
	want := []pullreq.Auth{ // in the reverse order of the keys
		{Host: "reg.example:5000", Auth: "dTpw"},
		{Host: "index.docker.io", Username: "hub", Password: "h"},
		{Host: "*.corp.example", Username: "w", Password: "x"},
	}
	got := dockerAuths(sec)
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] %+v, want %+v", i, got[i], want[i])
		}
	}
	old := &podspec.Secret{Type: podspec.SecretTypeDockercfg, Data: map[string][]byte{".dockercfg": []byte(`{"old.example":{"username":"o","password":"p"}}`)}}
	if a := dockerAuths(old); len(a) != 1 || a[0].Host != "old.example" || a[0].Username != "o" {
		t.Errorf("dockercfg: %+v", a)
	}
	other := &podspec.Secret{Type: "Opaque", Data: map[string][]byte{".dockercfg": []byte(`{"old.example":{"username":"o"}}`)}}
	if a := dockerAuths(other); len(a) != 0 {
		t.Errorf("Opaque Secret: %+v", a)
	}
	both := &podspec.Secret{Type: podspec.SecretTypeDockerConfigJSON, Data: map[string][]byte{".dockerconfigjson": []byte(
		`{"auths":{"*.corp.example":{"username":"w"},"registry.corp.example":{"username":"r"}}}`)}}
	if a := dockerAuths(both); len(a) != 2 || a[0].Host != "registry.corp.example" {
		t.Errorf("a host must come before a *.domain pattern covering it: %+v", a)
	}
}
