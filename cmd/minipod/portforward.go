package main

import (
	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newPortForward() *cobra.Command {
	o := pod.PortForwardOptions{}
	cmd := &cobra.Command{
		Use:   "port-forward POD [LOCAL:]REMOTE [...]",
		Short: "Forward local ports to ports on a pod's localhost",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signalContext()
			defer stop()
			o.Pod, o.Ports, o.Out = args[0], args[1:], cmd.OutOrStdout()
			return pod.PortForward(ctx, o)
		},
	}
	cmd.Flags().StringVar(&o.Address, "address", "127.0.0.1", "address to listen on")
	return cmd
}
