package main

import (
	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newAttach() *cobra.Command {
	o := pod.AttachOptions{}
	cmd := &cobra.Command{
		Use:   "attach POD [-c CONTAINER] [-i] [-t]",
		Short: "Attach to the standard streams of a running container",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Pod, o.Out, o.Err = args[0], cmd.OutOrStdout(), cmd.ErrOrStderr()
			return pod.Attach(o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Container, "container", "c", "", "container name (default: the first container)")
	f.BoolVarP(&o.Stdin, "stdin", "i", false, "pass standard input to the container (it must have stdin: true)")
	f.BoolVarP(&o.TTY, "tty", "t", false, "the container's stdin is a terminal (it must have tty: true)")
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "print only what the container prints")
	return cmd
}
