package main

import (
	"fmt"

	"github.com/minipod/minipod/pkg/pod"
	"github.com/minipod/minipod/pkg/safeterm"
	"github.com/spf13/cobra"
)

func newExpose() *cobra.Command {
	var o pod.ExposeOptions
	cmd := &cobra.Command{
		Use:   "expose pod NAME [--port=P] [--target-port=T] [--type=ClusterIP|NodePort] [--name=S] [--node-port=N] [--protocol=TCP|UDP]",
		Short: "Make a Service in front of a pod, selecting it by its labels, as kubectl expose does",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, names, err := splitKind(args)
			if err != nil {
				return err
			}
			if kind != nil || len(names) != 1 {
				return fmt.Errorf("expose: name one pod: expose pod NAME")
			}
			o.Pod, o.Out, o.Err = names[0], cmd.OutOrStdout(), safeterm.Writer(cmd.ErrOrStderr())
			return pod.Expose(o)
		},
	}
	cmd.Flags().Int32Var(&o.Port, "port", 0, "the Service's port (default: the pod's container ports)")
	cmd.Flags().StringVar(&o.TargetPort, "target-port", "", "the pod's port, a number or a container port's name (default: --port)")
	cmd.Flags().StringVar(&o.Type, "type", "", "ClusterIP (default) or NodePort")
	cmd.Flags().StringVar(&o.Name, "name", "", "the Service's name (default: the pod's)")
	cmd.Flags().Int32Var(&o.NodePort, "node-port", 0, "with --type=NodePort, this node port instead of one from the range")
	cmd.Flags().StringVar(&o.Protocol, "protocol", "", "TCP (default) or UDP")
	return cmd
}
