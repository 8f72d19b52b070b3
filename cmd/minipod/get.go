package main

import (
	"fmt"
	"strings"

	"github.com/minipod/minipod/pkg/pod"
	"github.com/minipod/minipod/pkg/safeterm"
	"github.com/spf13/cobra"
)

func newGet() *cobra.Command {
	var output string
	var watch bool
	cmd := &cobra.Command{
		Use:     "get [POD...] | get KIND [NAME...]",
		Aliases: []string{"ps"},
		Short:   "List pods (or configmaps, secrets, pvc) as kubectl get does",
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, args, err := splitKind(args)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if !strings.HasPrefix(output, "jsonpath=") {
				// A jsonpath's values are printed as they are, as
				// kubectl prints them: asked for, like logs.
				out = safeterm.Writer(out)
			}
			if kind != nil {
				return pod.GetObjects(*kind, args, output, out)
			}
			ctx, stop := signalContext()
			defer stop()
			return pod.Get(pod.GetOptions{Names: args, Output: output, Out: out, Watch: watch, Ctx: ctx})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: wide, json, yaml or jsonpath=TEMPLATE")
	cmd.Flags().BoolVarP(&watch, "watch", "w", false, "after the table, print a row whenever a pod changes")
	return cmd
}

func newDescribe() *cobra.Command {
	return &cobra.Command{
		Use:   "describe [pod] POD | describe configmap|secret|pvc NAME",
		Short: "Show a pod's containers, namespaces and events, or a ConfigMap, Secret or claim",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, names, err := splitKind(args)
			if err != nil {
				return err
			}
			if len(names) != 1 {
				return fmt.Errorf("describe: name one")
			}
			out := safeterm.Writer(cmd.OutOrStdout())
			if kind != nil {
				return pod.DescribeObject(*kind, names[0], out)
			}
			return pod.Describe(names[0], out)
		},
	}
}
