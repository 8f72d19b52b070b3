package probereq

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/testutil"
)

// fake writes a shell script standing in for minipod-probe, in a directory
// anyone may enter (as root, the helper runs as nobody).
func fake(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, Program)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// pair is a connection for Run (the monitor's side) and its other end
// (the server's side).
func pair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

func TestRunNotInstalled(t *testing.T) {
	client, _ := pair(t)
	if _, err := Run(context.Background(), "", client, Request{Op: OpGet}); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("got %v, want ErrNotInstalled", err)
	}
}

// TestRun: the helper reads the request on stdin, has the connection as
// descriptor 3 (what it writes there reaches the server) and nothing of
// the caller's environment; its standard output is the result.
func TestRun(t *testing.T) {
	t.Setenv("PROBE_SECRET", "s3cret")
	exe := fake(t, `read -r req; printf '%s\n%s\n' "$req" "secret=$PROBE_SECRET" >&3; echo '{"code":302,"location":"/next"}'`)
	client, server := pair(t)
	req := Request{Op: OpGet, Within: 5 * time.Second, URL: "https://10.0.0.1/x", Host: "h"}
	res, err := Run(context.Background(), exe, client, req)
	if err != nil || res.Code != 302 || res.Location != "/next" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	br := bufio.NewReader(server)
	line, _ := br.ReadString('\n')
	if !strings.Contains(line, `"url":"https://10.0.0.1/x"`) {
		t.Errorf("the helper read %q", line)
	}
	if line, _ = br.ReadString('\n'); line != "secret=\n" {
		t.Errorf("the helper's environment: %q", line)
	}
}

// TestRunNoResult: a helper that fails without a result is an error.
func TestRunNoResult(t *testing.T) {
	client, _ := pair(t)
	if _, err := Run(context.Background(), fake(t, "exit 3"), client, Request{Op: OpGRPC, Within: 5 * time.Second}); err == nil || !strings.Contains(err.Error(), "ended without a result") {
		t.Errorf("got %v", err)
	}
}

// TestRunHungHelper: a helper that never answers is killed when the
// probe's time is over (Run then says so), and keeps no connection to
// the server open; one whose probe is cancelled is killed at once.
func TestRunHungHelper(t *testing.T) {
	exe := fake(t, `echo started >&3; exec sleep 60`)
	client, server := pair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Run(ctx, exe, client, Request{Op: OpGRPC, Within: time.Minute})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("Run returned %v after %v", err, time.Since(start))
	}
	client.Close()
	_ = server.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(server)
	if string(got) != "started\n" || err != nil {
		t.Errorf("the server read %q, %v: want the helper's line, then the connection closed", got, err)
	}

	client, _ = pair(t)
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	if _, err := Run(ctx, exe, client, Request{Op: OpGRPC, Within: time.Minute}); !errors.Is(err, context.Canceled) || time.Since(start) > 10*time.Second {
		t.Errorf("cancelled: Run returned %v after %v", err, time.Since(start))
	}
}

// TestRunUnprivileged: as root, the helper runs as nobody, with no
// supplementary groups and no capabilities (minipod-probe then sets
// no_new_privs and non-dumpable itself), in a network namespace of its
// own: what a server in the pod answers is parsed by a process that can
// do nothing with it and reach nothing but that server.
func TestRunUnprivileged(t *testing.T) {
	testutil.RequiresRoot(t)
	exe := fake(t, `{ id -u; id -g; id -G; grep -E '^(CapEff|CapPrm)' /proc/self/status; readlink /proc/self/ns/net; } >&3; echo '{}'`)
	client, server := pair(t)
	if _, err := Run(context.Background(), exe, client, Request{Op: OpGet, Within: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	client.Close()
	_ = server.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	br := bufio.NewReader(server)
	for {
		line, err := br.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			break
		}
	}
	got := strings.Fields(b.String())
	want := []string{"65534", "65534", "65534", "CapPrm:", "0000000000000000", "CapEff:", "0000000000000000"}
	if len(got) != len(want)+1 || strings.Join(got[:len(want)], " ") != strings.Join(want, " ") {
		t.Fatalf("the helper ran as %q, want %q and its network namespace", got, want)
	}
	if own, _ := os.Readlink("/proc/self/ns/net"); got[len(want)] == own {
		t.Errorf("the helper shares our network namespace %s", own)
	}
}
