package main

import (
	"time"

	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newTop() *cobra.Command {
	var containers bool
	var window time.Duration
	cmd := &cobra.Command{
		Use:   "top [POD...]",
		Short: "Show CPU and memory of pods (or containers) as kubectl top pod does",
		RunE: func(cmd *cobra.Command, args []string) error {
			return pod.Top(pod.TopOptions{Names: args, Containers: containers, Window: window, Out: cmd.OutOrStdout()})
		},
	}
	cmd.Flags().BoolVar(&containers, "containers", false, "a row per container")
	cmd.Flags().DurationVar(&window, "window", 500*time.Millisecond, "how long CPU use is measured over")
	return cmd
}
