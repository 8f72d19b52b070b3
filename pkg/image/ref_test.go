package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const hexA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func TestParseRef(t *testing.T) {
	for _, c := range []struct{ in, full, familiar string }{
		{"nginx", "docker.io/library/nginx:latest", "nginx:latest"},
		{"nginx:alpine", "docker.io/library/nginx:alpine", "nginx:alpine"},
		{"library/nginx", "docker.io/library/nginx:latest", "nginx:latest"},
		{"docker.io/library/debian:bookworm", "docker.io/library/debian:bookworm", "debian:bookworm"},
		{"index.docker.io/library/debian", "docker.io/library/debian:latest", "debian:latest"},
		{"docker.io/training/webapp", "docker.io/training/webapp:latest", "training/webapp:latest"},
		{"training/webapp", "docker.io/training/webapp:latest", "training/webapp:latest"},
		{"localhost:5000/x/y:1", "localhost:5000/x/y:1", "localhost:5000/x/y:1"},
		{"localhost/x", "localhost/x:latest", "localhost/x:latest"},
		{"127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest", "127.0.0.1:5000/busybox:latest"},
		{"quay.io/a/b/c:v1.2-3", "quay.io/a/b/c:v1.2-3", "quay.io/a/b/c:v1.2-3"},
		{"Registry/x", "Registry/x:latest", "Registry/x:latest"},
		{"[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x:latest"},
		{"debian@sha256:" + hexA, "docker.io/library/debian@sha256:" + hexA, "debian@sha256:" + hexA},
		{"q.io/x:t@sha256:" + hexA, "q.io/x:t@sha256:" + hexA, "q.io/x:t@sha256:" + hexA},
		{"a__b/c-d.e", "docker.io/a__b/c-d.e:latest", "a__b/c-d.e:latest"},
	} {
		r, err := ParseRef(c.in)
		if err != nil || r.String() != c.full || r.Familiar() != c.familiar {
			t.Errorf("ParseRef(%q) = %q / %q, %v; want %q / %q", c.in, r.String(), r.Familiar(), err, c.full, c.familiar)
		}
	}
	for in, local := range map[string]bool{"nginx": true, "docker.io/training/webapp:x": true, "localhost:5000/x": false, "nginx@sha256:" + hexA: false} {
		if r, _ := ParseRef(in); r.Local() != local {
			t.Errorf("ParseRef(%q).Local() = %v", in, !local)
		}
	}
	for _, bad := range []string{"", "Nginx", "../x", "a//b", "x:", "x@sha256:00", "x@md5:" + hexA, "x:-t", "-x", "x/", "x:a:b", "host:port/x", "a/_b"} {
		if r, err := ParseRef(bad); err == nil {
			t.Errorf("ParseRef(%q) accepted: %v", bad, r)
		}
	}
}

func TestLookup(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "training", "webapp", "latest")
	if err := os.MkdirAll(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("latest", filepath.Join(root, "training", "webapp", "v1")); err != nil {
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
	rootfs := filepath.Join(dir, "rootfs")
	if img.Config.WorkingDir != "/www" || img.Config.Entrypoint[0] != "httpd" || img.RootFS != rootfs ||
		len(img.Layers) != 1 || img.Layers[0] != rootfs || img.ID != "dir:"+dir || img.Digest != "" {
		t.Errorf("image = %+v", img)
	}
	if _, err := Lookup(root, "nosuch"); err == nil || !strings.Contains(err.Error(), "training/webapp:latest") {
		t.Errorf("missing image error should list known images: %v", err)
	}
	if _, err := Lookup(root, "localhost:5000/training/webapp"); err == nil {
		t.Errorf("a registry reference found a directory image")
	}
	if got := strings.Join(List(root), ","); got != "training/webapp:latest,training/webapp:v1" {
		t.Errorf("List = %s", got)
	}
}
