package test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// ---- Read-only mounts (recursiveReadOnly)
// https://kubernetes.io/docs/concepts/storage/volumes/#recursive-read-only-mounts

// TestK8sDocsRecursiveReadOnly (storage/rro.yaml): the node has a tmpfs
// on /mnt/tmpfs, as the example's comment says; the pod mounts /mnt three
// times. Through the recursively read-only mount the tmpfs cannot be
// written; through the writable one it can; get reports the mounts.
//
// Where minipod differs, on purpose: a plain readOnly mount is read-only
// all the way down here too, so /mnt-ro/tmpfs is not writable (the
// example's comment says it is on a Kubernetes node, which makes only
// the top mount read-only unless asked). A container whose volume is meant
// read-only gets no writable corner below it.
func TestK8sDocsRecursiveReadOnly(t *testing.T) {
	root(t)
	hostTmpfs(t, "/mnt/tmpfs")
	name := mustUpDoc(t, "storage/rro.yaml")
	for _, c := range []struct {
		dir      string
		writable bool
	}{{"/mnt-rro/tmpfs", false}, {"/mnt-ro/tmpfs", false}, {"/mnt-rw/tmpfs", true}, {"/mnt-rro", false}} {
		r := mp(t, "exec", name, "--", "touch", c.dir+"/written")
		if ok := r.code == 0; ok != c.writable {
			t.Errorf("touch in %s: %s; want writable %v", c.dir, r, c.writable)
		} else if !ok && !strings.Contains(r.stderr, "Read-only file system") {
			t.Errorf("touch in %s failed otherwise than read-only: %s", c.dir, r)
		}
	}
	if _, err := os.Stat("/mnt/tmpfs/written"); err != nil {
		t.Errorf("the write through /mnt-rw/tmpfs did not reach the host's tmpfs: %v", err)
	}
	mounts := getPod(t, name).Status.ContainerStatuses[0].VolumeMounts
	got := []string{}
	for _, m := range mounts {
		rro := "-"
		if m.RecursiveReadOnly != nil {
			rro = string(*m.RecursiveReadOnly)
		}
		got = append(got, m.Name+" "+m.MountPath+" "+map[bool]string{true: "ro", false: "rw"}[m.ReadOnly]+" "+rro)
	}
	want := "mnt /mnt-rro ro Enabled, mnt /mnt-ro ro Enabled, mnt /mnt-rw rw -"
	if strings.Join(got, ", ") != want {
		t.Errorf("status volumeMounts %q, want %q", strings.Join(got, ", "), want)
	}
}

// hostTmpfs mounts a small tmpfs on dir (made if missing) for the test's
// life; it and the directory, if made here, are gone when it ends.
func hostTmpfs(t *testing.T, dir string) {
	t.Helper()
	made := false
	if err := os.Mkdir(dir, 0o755); err == nil {
		made = true
	} else if !errors.Is(err, os.ErrExist) {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=1m,mode=0755"); err != nil {
		t.Fatalf("mount tmpfs on %s: %v", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
		if made {
			_ = os.Remove(dir)
		}
	})
}
