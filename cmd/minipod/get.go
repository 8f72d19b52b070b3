package main

import (
	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newGet() *cobra.Command {
	var output string
	var watch bool
	cmd := &cobra.Command{
		Use:     "get [POD...]",
		Aliases: []string{"ps"},
		Short:   "List pods as kubectl get pods does",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signalContext()
			defer stop()
			return pod.Get(pod.GetOptions{Names: args, Output: output, Out: cmd.OutOrStdout(), Watch: watch, Ctx: ctx})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: wide, json, yaml or jsonpath=TEMPLATE")
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "after the table, print a row whenever a pod changes")
	return cmd
}

func newDescribe() *cobra.Command {
	return &cobra.Command{
		Use:   "describe POD",
		Short: "Show a pod's containers, namespaces and events",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pod.Describe(args[0], cmd.OutOrStdout())
		},
	}
}
