package pull

import (
	"context"
	"encoding/base64"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// basicAuth guards a registry with one user, as a private registry does.
type basicAuth struct{ h http.Handler }

func (b basicAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != "minipod" || p != "s3cret" {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
		return
	}
	b.h.ServeHTTP(w, r)
}

// TestPullUsesDockerConfig: credentials come from $DOCKER_CONFIG's
// config.json (the docker/kubectl place), and a pull without them fails
// with the registry's message.
func TestPullUsesDockerConfig(t *testing.T) {
	s := newStore(t)
	srv := httptest.NewServer(basicAuth{registry.New(registry.Logger(log.New(io.Discard, "", 0)))})
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	ref, err := name.ParseReference(host + "/private/img:v1")
	if err != nil {
		t.Fatal(err)
	}
	cred := remote.WithAuth(&authn.Basic{Username: "minipod", Password: "s3cret"})
	if err := remote.Write(ref, testImage(t), cred); err != nil {
		t.Fatal(err)
	}

	t.Setenv("DOCKER_CONFIG", t.TempDir()) // empty: no credentials
	if _, err := Pull(context.Background(), s, ref.String(), Options{Insecure: []string{host}}); err == nil || !strings.Contains(err.Error(), "UNAUTHORIZED") {
		t.Fatalf("pull without credentials: %v, want the registry's UNAUTHORIZED", err)
	}

	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("minipod:s3cret"))
	cfg := `{"auths":{"` + host + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
	if _, err := Pull(context.Background(), s, ref.String(), Options{Insecure: []string{host}}); err != nil {
		t.Fatalf("pull with credentials in $DOCKER_CONFIG: %v", err)
	}
}
