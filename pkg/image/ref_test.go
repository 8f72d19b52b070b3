package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	for in, want := range map[string]string{
		"nginx": "nginx:latest", "nginx:alpine": "nginx:alpine",
		"docker.io/library/debian:bookworm": "debian:bookworm", "docker.io/training/webapp": "training/webapp:latest",
		"localhost:5000/x/y:1": "localhost:5000/x/y:1",
	} {
		r, err := ParseRef(in)
		if in == "localhost:5000/x/y:1" {
			if err == nil {
				t.Errorf("%s: registry host accepted as a local name", in)
			}
			continue
		}
		if err != nil || r.String() != want {
			t.Errorf("ParseRef(%q) = %v, %v; want %s", in, r, err, want)
		}
	}
	for _, bad := range []string{"", "Nginx", "../x", "a//b", "x:", "x@sha256:00"} {
		if _, err := ParseRef(bad); err == nil {
			t.Errorf("ParseRef(%q) accepted", bad)
		}
	}
}

func TestLookup(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "training", "webapp", "latest")
	if err := os.MkdirAll(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := `{"Entrypoint":["httpd"],"Cmd":["-f"],"Env":["A=1"],"WorkingDir":"/www"}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := Lookup(root, "docker.io/training/webapp")
	if err != nil {
		t.Fatal(err)
	}
	if img.Config.WorkingDir != "/www" || img.Config.Entrypoint[0] != "httpd" || img.RootFS != filepath.Join(dir, "rootfs") {
		t.Errorf("image = %+v", img)
	}
	if _, err := Lookup(root, "nosuch"); err == nil || !strings.Contains(err.Error(), "training/webapp:latest") {
		t.Errorf("missing image error should list known images: %v", err)
	}
}
