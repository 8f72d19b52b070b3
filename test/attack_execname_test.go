package test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAttackExecPodName: exec connects to the pod's socket, under
// /run/minipod/NAME, before it reads any state, and hands it the caller's
// stdin, stdout and stderr. A pod name that climbs out of /run/minipod
// (from a script fed names it did not check) must be refused by name
// before anything is dialled: a decoy socket beside /run/minipod, where
// "../decoy" would lead, gets no connection.
func TestAttackExecPodName(t *testing.T) {
	root(t)
	name := podName("exec-name")
	upPod(t, name, tmpl(idlePod, name, "PORTS", "")) // /run/minipod exists
	decoy := podName("decoy")
	dir := filepath.Join("/run", decoy)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	l, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: filepath.Join(dir, "exec.sock"), Net: "unixpacket"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, bad := range []string{"../" + decoy, "../../run/" + decoy, name + "/../../" + decoy} {
		r := mp(t, "exec", bad, "--", "true")
		if r.code == 0 || !strings.Contains(r.stderr, "invalid pod name") {
			t.Errorf("exec into %q: want a refusal naming the pod name, got %s", bad, r)
		}
	}
	_ = l.SetDeadline(time.Now().Add(200 * time.Millisecond))
	if c, err := l.AcceptUnix(); err == nil {
		c.Close()
		t.Error("exec with a climbing pod name connected to a socket outside /run/minipod")
	}
}
