package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/image/pullreq"
	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/selfexe"
	"github.com/minipod/minipod/pkg/state"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// imageCommands are the image verbs: pull, images, rmi, load, image.
func imageCommands() []*cobra.Command {
	return []*cobra.Command{newPull(), newImages(), newRmi(), newLoad(), newImageCmd()}
}

func imageStore() *image.Store { return image.NewStore(state.DefaultRoots().Images) }

// runPuller has minipod-pull, installed beside minipod, do req: sealed
// first, as for pods, so that the file run is the file checked. Progress
// goes to standard error unless quiet.
func runPuller(req pullreq.Request, quiet bool) (pullreq.Result, error) {
	sealed, err := selfexe.SealCompanion(pullreq.Program)
	if err != nil {
		return pullreq.Result{}, err
	}
	exe := ""
	if sealed != nil {
		defer sealed.Close()
		exe = sealed.Path()
	}
	req.Store = state.DefaultRoots().Images
	if !quiet {
		req.Progress, req.Terminal = true, term.IsTerminal(int(os.Stderr.Fd()))
	}
	ctx, cancel := signalContext()
	defer cancel()
	return pullreq.Run(ctx, exe, req, os.Stderr)
}

func newPull() *cobra.Command {
	var insecure []string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "pull IMAGE",
		Short: "Pull an image from a registry into the local store",
		Long: "pull fetches IMAGE (normalised as docker does: nginx is docker.io/library/nginx:latest)\n" +
			"for this machine's platform, with the credentials of ~/.docker/config.json ($DOCKER_CONFIG).\n" +
			"Plain-HTTP registries must be listed with --insecure-registry or as\n" +
			"`insecure-registries = host:port,...` in " + nodeconfig.DefaultFile + ".",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := runPuller(pullreq.Request{Op: pullreq.OpPull, Image: args[0], Insecure: insecure}, quiet)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\nDigest: %s\n", res.Ref, res.Digest)
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&insecure, "insecure-registry", nil, "registry `host:port` that may be used over plain HTTP (repeatable)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "no progress output")
	return cmd
}

func newImages() *cobra.Command {
	var prune, noTrunc bool
	cmd := &cobra.Command{
		Use:   "images",
		Short: "List the images in the local store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if prune {
				if err := runPrune(cmd); err != nil {
					return err
				}
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 3, ' ', 0)
			fmt.Fprintln(w, "REPOSITORY\tTAG\tDIGEST\tSIZE")
			for _, s := range image.Summaries(state.DefaultRoots().Images) {
				d := s.Digest
				if d == "" {
					d = "<none>"
				} else if !noTrunc {
					d = d[:min(len(d), len("sha256:")+12)]
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Repository, s.Tag, d, humanSize(s.Size))
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&prune, "prune", false, "first remove the blobs and layers no image uses")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "show whole digests")
	return cmd
}

func runPrune(cmd *cobra.Command) error {
	rep, err := imageStore().Prune(podImages)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "pruned %d blobs and %d layers (%s)\n", rep.Blobs, rep.Layers, humanSize(rep.Bytes))
	return nil
}

func newRmi() *cobra.Command {
	var prune bool
	cmd := &cobra.Command{
		Use:   "rmi [--prune] [IMAGE...]",
		Short: "Remove images from the local store (refused while a pod uses them)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !prune {
				return fmt.Errorf("rmi: name an image, or use --prune")
			}
			root := state.DefaultRoots().Images
			for _, ref := range args {
				img, err := image.Remove(root, ref, podsUsing(root))
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Untagged: %s\n", img.Ref.Familiar())
			}
			if prune {
				return runPrune(cmd)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&prune, "prune", false, "remove the blobs and layers no image uses")
	return cmd
}

// podsUsing reports a pod of this machine (any state.json under the run
// directory) whose containers or image volumes use the image with that ID.
func podsUsing(root string) image.InUseFunc {
	return func(id string) (string, bool) {
		roots := state.DefaultRoots()
		pods, _ := roots.List()
		for _, name := range pods {
			for _, ref := range imagesOf(roots, name) {
				if img, err := image.Lookup(root, ref); err == nil && img.ID == id {
					return name, true
				}
			}
		}
		return "", false
	}
}

// podImages are the images the pods of this machine run from, as they
// recorded them (state.Pod.Images). A finished pod runs nothing: what it
// recorded may go.
func podImages() []image.InUse {
	var out []image.InUse
	roots := state.DefaultRoots()
	pods, _ := roots.List()
	for _, name := range pods {
		p, err := roots.Load(name)
		if err != nil || p.Finished {
			continue
		}
		for _, m := range p.Images {
			out = append(out, image.InUse{Pod: name, Manifest: m})
		}
	}
	return out
}

// imagesOf lists the images pod name uses: its containers' (from its
// record) and its image volumes' (from its manifest; a volume's image is
// mounted for the pod's whole life).
func imagesOf(roots state.Roots, name string) []string {
	var refs []string
	if p, err := roots.Load(name); err == nil {
		for _, c := range append(p.InitContainers, p.Containers...) {
			refs = append(refs, c.Image)
		}
	}
	if p, err := roots.LoadManifest(name); err == nil {
		for _, v := range p.Spec.Volumes {
			if v.Image != nil {
				refs = append(refs, v.Image.Reference)
			}
		}
	}
	return refs
}

func newLoad() *cobra.Command {
	var input, tag string
	cmd := &cobra.Command{
		Use:   "load -i FILE",
		Short: "Load images from a docker-save or OCI layout archive",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if input == "" {
				return fmt.Errorf("load: give the archive with -i FILE")
			}
			res, err := runPuller(pullreq.Request{Op: pullreq.OpLoad, File: input, Tag: tag}, false)
			for _, r := range res.Refs {
				fmt.Fprintf(cmd.OutOrStdout(), "Loaded image: %s\n", r)
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "the archive `FILE`")
	cmd.Flags().StringVarP(&tag, "tag", "t", "", "`NAME:TAG` for an image the archive does not name")
	return cmd
}

func newImageCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "image", Short: "Manage the image store"}
	cmd.AddCommand(&cobra.Command{
		Use:   "import DIR NAME[:TAG]",
		Short: "Make a one-layer image of a directory tree (or a directory image: DIR/rootfs + DIR/config.json)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			img, err := image.ImportDir(state.DefaultRoots().Images, args[0], args[1])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\nDigest: %s\n", img.Ref, img.Digest)
			return nil
		},
	}, &cobra.Command{
		Use:   "prune",
		Short: "Remove the blobs and layers no image uses",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runPrune(cmd) },
	})
	return cmd
}

func humanSize(n int64) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f, i := float64(n), 0
	for f >= 1000 && i < len(units)-1 {
		f /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") + " " + units[i]
}
