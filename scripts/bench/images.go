package main

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/state"
)

// imageBench serves a registry on 127.0.0.1 in this process, pushes a
// ~30 MB three-layer image and two images sharing a base layer, and
// measures pull+unpack (minipod, and podman when installed), container
// start from an OCI image vs a directory image, and disk use.
func (b *bench) imageBench(runs int) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	b.env = append(os.Environ(), "MINIPOD_INSECURE_REGISTRIES="+host)
	base := dirLayer("/var/lib/minipod/images/busybox/latest/rootfs")
	big := push(host, "bench/big:1", base, randomLayer("/data/a", 20<<20), randomLayer("/data/b", 8<<20))
	defer b.run("image", "prune") // leave no bench layers behind
	defer b.run("rmi", big)
	b.pulls(big, runs)
	b.startFromImage(host, runs)
	b.sharedBase(host, base)
}

func (b *bench) pulls(ref string, runs int) {
	var mine, theirs []time.Duration
	for i := 0; i < runs; i++ {
		b.run("rmi", ref)
		b.run("image", "prune")
		mine = append(mine, b.timeEnv("pull", "-q", ref))
	}
	report("pull ~30 MB, 3 layers", mine)
	if _, err := exec.LookPath("podman"); err != nil {
		fmt.Printf("%-24s skipped (podman not installed)\n", "podman pull")
		return
	}
	for i := 0; i < runs; i++ {
		_ = exec.Command("podman", "rmi", "-f", ref).Run()
		start := time.Now()
		out, err := exec.Command("podman", "pull", "-q", "--tls-verify=false", ref).CombinedOutput()
		if err != nil {
			fmt.Printf("%-24s failed: %v %s\n", "podman pull", err, out)
			return
		}
		theirs = append(theirs, time.Since(start))
	}
	_ = exec.Command("podman", "rmi", "-f", ref).Run()
	report("podman pull, same image", theirs)
}

func (b *bench) startFromImage(host string, runs int) {
	ref := push(host, "bench/busybox:1", dirLayer("/var/lib/minipod/images/busybox/latest/rootfs"))
	b.timeEnv("pull", "-q", ref)
	defer b.run("rmi", ref)
	for _, img := range []string{"busybox", ref} {
		var ds []time.Duration
		for i := 0; i < runs; i++ {
			name := fmt.Sprintf("bench-img-%d-%d", os.Getpid(), i)
			p := filepath.Join(b.dir, name+".yaml")
			y := strings.ReplaceAll(fmt.Sprintf(podYAML, name), "image: busybox", "image: "+img)
			must(os.WriteFile(p, []byte(y), 0o644))
			ds = append(ds, b.timeEnv("up", "-d", p))
			b.run("down", name)
		}
		what := "up -d, directory image"
		if img != "busybox" {
			what = "up -d, OCI image"
		}
		report(what, ds)
	}
}

func (b *bench) sharedBase(host string, base v1.Layer) {
	a := push(host, "bench/share-a:1", base, randomLayer("/a", 1<<20))
	c := push(host, "bench/share-b:1", base, randomLayer("/b", 1<<20))
	b.timeEnv("pull", "-q", a)
	b.timeEnv("pull", "-q", c)
	defer func() { b.run("rmi", a, c) }()
	unique := map[string]bool{}
	total := 0
	for _, ref := range []string{a, c} {
		img, err := image.Lookup(state.DefaultRoots().Images, ref)
		must(err)
		for _, l := range img.Layers {
			unique[l] = true
			total++
		}
	}
	var disk int64
	for l := range unique {
		disk += du(l)
	}
	fmt.Printf("%-24s 2 images, %d layers, %d stored (%.1f MB on disk; base stored once: %v)\n",
		"disk, shared base", total, len(unique), float64(disk)/(1<<20), len(unique) == total-1)
}

// du is the disk use of a tree in bytes (allocated blocks).
func du(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			if info, err := d.Info(); err == nil {
				if st, ok := info.Sys().(*syscall.Stat_t); ok {
					n += st.Blocks * 512
				}
			}
		}
		return nil
	})
	return n
}

func (b *bench) run(args ...string) {
	cmd := exec.Command(b.bin, args...)
	cmd.Env = b.env
	_ = cmd.Run()
}

func (b *bench) timeEnv(args ...string) time.Duration {
	cmd := exec.Command(b.bin, args...)
	cmd.Env = b.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		must(fmt.Errorf("minipod %s: %v\n%s", strings.Join(args, " "), err, out))
	}
	return time.Since(start)
}

func push(host, repo string, layers ...v1.Layer) string {
	img, err := mutate.AppendLayers(empty.Image, layers...)
	must(err)
	img, err = mutate.Config(img, v1.Config{Cmd: []string{"sh"}, Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}})
	must(err)
	ref, err := name.ParseReference(host+"/"+repo, name.Insecure)
	must(err)
	must(remote.Write(ref, img))
	return host + "/" + repo
}

func randomLayer(path string, n int) v1.Layer {
	data := make([]byte, n)
	_, _ = rand.Read(data) // incompressible, like real binaries after gzip
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	must(tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(path, "/"), Mode: 0o644, Size: int64(n), Typeflag: tar.TypeReg}))
	_, _ = tw.Write(data)
	must(tw.Close())
	l, err := tarball.LayerFromReader(bytes.NewReader(buf.Bytes()))
	must(err)
	return l
}

func dirLayer(dir string) v1.Layer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	must(filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			link, _ = os.Readlink(p)
		}
		h, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		h.Name, _ = filepath.Rel(dir, p)
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(tw, f)
			return err
		}
		return nil
	}))
	must(tw.Close())
	l, err := tarball.LayerFromReader(bytes.NewReader(buf.Bytes()))
	must(err)
	return l
}
