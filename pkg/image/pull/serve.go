package pull

import (
	"context"
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/image/pullreq"
)

// Serve does what req asks of the minipod-pull program: a pull or a load
// into the store at req.Store, with progress on standard error if asked.
func Serve(ctx context.Context, req pullreq.Request) pullreq.Result {
	if req.Store == "" {
		return pullreq.Result{Error: "pull request: no image store given"}
	}
	node, err := InsecureRegistries()
	if err != nil {
		return pullreq.Result{Error: err.Error()}
	}
	opts := Options{Insecure: append(node, req.Insecure...), Terminal: req.Terminal, Tag: req.Tag, Keychain: Keychain(req.Auths)}
	if req.Progress {
		opts.Progress = os.Stderr
	}
	s := image.NewStore(req.Store)
	switch req.Op {
	case pullreq.OpPull:
		img, err := Pull(ctx, s, req.Image, opts)
		if err != nil {
			return pullreq.Result{Error: err.Error()}
		}
		return pullreq.Result{Ref: img.Ref.String(), Digest: img.Digest}
	case pullreq.OpLoad:
		refs, err := Load(ctx, s, req.File, opts)
		res := pullreq.Result{Refs: refs}
		if err != nil {
			res.Error = err.Error()
		}
		return res
	}
	return pullreq.Result{Error: fmt.Sprintf("pull request: unknown op %q", req.Op)}
}
