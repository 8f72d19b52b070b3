package pullreq

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fake writes a shell script standing in for minipod-pull.
func fake(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), Program)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunNotInstalled(t *testing.T) {
	if _, err := Run(context.Background(), "", Request{Op: OpPull}, nil); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("got %v, want ErrNotInstalled", err)
	}
}

// TestRunRequestAndResult: the request arrives on standard input as JSON,
// the result comes back from standard output, progress goes to stderr,
// and a failure reported in the result is the error.
func TestRunRequestAndResult(t *testing.T) {
	dir := t.TempDir()
	exe := fake(t, `cat > `+dir+`/req; echo progress >&2; echo '{"ref":"r:1","digest":"sha256:ab"}'`)
	var stderr bytes.Buffer
	res, err := Run(context.Background(), exe, Request{Op: OpPull, Store: "/s", Image: "busybox", Auths: []Auth{{Host: "h", Username: "u"}}}, &stderr)
	if err != nil || res.Ref != "r:1" || res.Digest != "sha256:ab" {
		t.Fatalf("got %+v, %v", res, err)
	}
	req, _ := os.ReadFile(dir + "/req")
	if want := `{"op":"pull","store":"/s","image":"busybox","auths":[{"host":"h","username":"u"}]}`; string(req) != want {
		t.Errorf("request %s, want %s", req, want)
	}
	if stderr.String() != "progress\n" {
		t.Errorf("stderr %q", stderr.String())
	}

	exe = fake(t, `cat >/dev/null; echo '{"refs":["a:1"],"error":"load x: broken"}'; exit 1`)
	res, err = Run(context.Background(), exe, Request{Op: OpLoad}, nil)
	if err == nil || err.Error() != "load x: broken" || len(res.Refs) != 1 {
		t.Errorf("got %+v, %v; want the result's error and refs", res, err)
	}

	exe = fake(t, `exit 3`)
	if _, err := Run(context.Background(), exe, Request{Op: OpPull}, nil); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("a puller that died: %v", err)
	}
}

// TestRunCancel: a done context asks the puller to stop (SIGTERM).
func TestRunCancel(t *testing.T) {
	exe := fake(t, `trap 'echo "{\"error\":\"interrupted\"}"; exit 1' TERM; cat >/dev/null; while :; do sleep 0.05; done`)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Run(ctx, exe, Request{Op: OpPull}, nil)
	if err == nil || err.Error() != "interrupted" {
		t.Errorf("got %v, want the puller's own report of the interruption", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
