package main

import (
	"time"

	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newNetwork() *cobra.Command {
	cmd := &cobra.Command{Use: "network", Short: "Manage the node's pod network"}
	cmd.AddCommand(&cobra.Command{
		Use:   "reset",
		Short: "Remove the pod bridge (refused while pods use it)",
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return pod.NetworkReset() },
	})
	return cmd
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print minipod's version and commit, its Go, the node's cgroup mode and kernel",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return pod.Version(cmd.OutOrStdout()) },
	}
}

func newWait() *cobra.Command {
	var forCond string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "wait POD... --for=condition=Ready|delete|jsonpath=TEMPLATE=VALUE [--timeout=30s]",
		Short: "Wait until pods meet a condition, as kubectl wait does",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pod.Wait(pod.WaitOptions{Names: args, For: forCond, Timeout: timeout, Out: cmd.OutOrStdout()})
		},
	}
	cmd.Flags().StringVar(&forCond, "for", "", "condition=NAME[=VALUE], delete, or jsonpath=TEMPLATE=VALUE")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long to wait")
	return cmd
}
