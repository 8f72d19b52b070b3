package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/state"
	"github.com/spf13/cobra"
)

func newImages() *cobra.Command {
	return &cobra.Command{
		Use:   "images",
		Short: "List the images in the local store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 8, 3, ' ', 0)
			fmt.Fprintln(w, "IMAGE")
			for _, n := range image.List(state.DefaultRoots().Images) {
				fmt.Fprintln(w, n)
			}
			return w.Flush()
		},
	}
}
