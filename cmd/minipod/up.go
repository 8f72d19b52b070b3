package main

import (
	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newUp() *cobra.Command {
	var detach, waitReady bool
	cmd := &cobra.Command{
		Use:   "up [-d] [--wait-ready=false] FILE",
		Short: "Create the pods of a manifest (v1 Pod and ConfigMap documents)",
		Long: "Create every Pod in FILE ('-' for standard input). Without -d, stream the\n" +
			"containers' output until the pods finish; Ctrl-C deletes them.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pod.Up(pod.UpOptions{File: args[0], Detach: detach, NoWaitReady: !waitReady, Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr()})
		},
	}
	cmd.Flags().BoolVarP(&detach, "detach", "d", false, "return once every container runs (and is ready, where it has probes)")
	cmd.Flags().BoolVar(&waitReady, "wait-ready", true, "with -d, wait for startup and readiness probes to pass")
	return cmd
}

func newDown() *cobra.Command {
	var file string
	var grace int
	var ignore bool
	cmd := &cobra.Command{
		Use:     "down [POD...] | down -f FILE",
		Aliases: []string{"delete"},
		Short:   "Delete pods: stop their containers gracefully and remove everything they had",
		RunE: func(cmd *cobra.Command, args []string) error {
			return pod.Down(pod.DownOptions{Names: args, File: file, GracePeriod: grace, IgnoreNotFound: ignore, Out: cmd.OutOrStdout(), Err: cmd.ErrOrStderr()})
		},
	}
	cmd.Flags().StringVarP(&file, "filename", "f", "", "delete the pods defined in this manifest")
	cmd.Flags().IntVar(&grace, "grace-period", -1, "seconds to wait after SIGTERM before SIGKILL (-1: the pod's terminationGracePeriodSeconds)")
	cmd.Flags().BoolVar(&ignore, "ignore-not-found", false, "a pod that does not exist is no error")
	return cmd
}
