package main

import (
	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newLogs() *cobra.Command {
	o := pod.LogsOptions{}
	cmd := &cobra.Command{
		Use:   "logs POD [-c CONTAINER] [-f] [--tail N] [-p] [--timestamps]",
		Short: "Print a container's logs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signalContext()
			defer stop()
			o.Pod, o.Out, o.Err = args[0], cmd.OutOrStdout(), cmd.ErrOrStderr()
			err := pod.Logs(ctx, o)
			if ctx.Err() != nil {
				return nil // interrupted while following: a normal end
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Container, "container", "c", "", "container name (default: the first container)")
	f.BoolVarP(&o.Follow, "follow", "f", false, "follow the log while the container runs")
	f.IntVar(&o.Tail, "tail", -1, "lines from the end to show (-1: all)")
	f.BoolVarP(&o.Previous, "previous", "p", false, "the previous instance of the container")
	f.BoolVar(&o.Timestamps, "timestamps", false, "prefix each line with its RFC3339Nano timestamp")
	return cmd
}
