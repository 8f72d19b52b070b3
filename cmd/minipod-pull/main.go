// Command minipod-pull fetches images into minipod's store: from
// registries for a pod's monitor and for `minipod pull`, from archives for
// `minipod load`. It is the one program that links the registry client
// (pkg/image/pull), so that minipod itself, which every command and every
// pod's monitor runs, starts and stays without it. It reads one request
// (pkg/image/pullreq) on its standard input and writes the result on its
// standard output; it is not meant to be run by hand.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/minipod/minipod/pkg/image/pull"
	"github.com/minipod/minipod/pkg/image/pullreq"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

func main() {
	if len(os.Args) != 1 || term.IsTerminal(int(os.Stdin.Fd())) {
		fmt.Fprintln(os.Stderr, "minipod-pull is started by minipod (pull, load, a pod's monitor), not by hand")
		os.Exit(2)
	}
	// Interrupted, it stops between blobs and leaves the store consistent.
	ctx, stop := signal.NotifyContext(context.Background(), unix.SIGINT, unix.SIGTERM)
	defer stop()
	res := serve(ctx, os.Stdin)
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil || res.Error != "" {
		os.Exit(1)
	}
}

func serve(ctx context.Context, in io.Reader) pullreq.Result {
	data, err := io.ReadAll(io.LimitReader(in, pullreq.MaxRequest+1))
	if err != nil {
		return pullreq.Result{Error: fmt.Sprintf("read pull request: %v", err)}
	}
	if len(data) > pullreq.MaxRequest {
		return pullreq.Result{Error: fmt.Sprintf("read pull request: larger than %d MiB", pullreq.MaxRequest>>20)}
	}
	var req pullreq.Request
	if err := json.Unmarshal(data, &req); err != nil {
		return pullreq.Result{Error: fmt.Sprintf("read pull request: %v", err)}
	}
	return pull.Serve(ctx, req)
}
