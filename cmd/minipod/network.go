package main

import (
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
