package main

import (
	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newCreate() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create configmap|secret generic NAME [--from-file=[KEY=]PATH] [--from-literal=KEY=VALUE]",
		Short: "Make a ConfigMap or Secret from files and literals, as kubectl create does",
	}
	cmd.AddCommand(newCreateConfigMap(), newCreateSecret())
	return cmd
}

func newCreateConfigMap() *cobra.Command {
	var o pod.CreateOptions
	cmd := &cobra.Command{
		Use:     "configmap NAME [--from-file=[KEY=]PATH] [--from-literal=KEY=VALUE]",
		Aliases: []string{"cm"},
		Short:   "Make a ConfigMap kept on the node",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Out = args[0], cmd.OutOrStdout()
			return pod.CreateConfigMap(o)
		},
	}
	sourceFlags(cmd, &o)
	return cmd
}

func newCreateSecret() *cobra.Command {
	cmd := &cobra.Command{Use: "secret generic NAME", Short: "Make a Secret kept on the node (in memory)"}
	var o pod.CreateOptions
	generic := &cobra.Command{
		Use:   "generic NAME [--type=TYPE] [--from-file=[KEY=]PATH] [--from-literal=KEY=VALUE]",
		Short: "Make an Opaque (or --type) Secret",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name, o.Out = args[0], cmd.OutOrStdout()
			return pod.CreateSecret(o)
		},
	}
	sourceFlags(generic, &o)
	generic.Flags().StringVar(&o.Type, "type", "", "the Secret's type (default Opaque)")
	cmd.AddCommand(generic)
	return cmd
}

func sourceFlags(cmd *cobra.Command, o *pod.CreateOptions) {
	cmd.Flags().StringArrayVar(&o.FromFile, "from-file", nil, "[KEY=]PATH: a file's content under KEY (default its name); a directory gives each file in it")
	cmd.Flags().StringArrayVar(&o.FromLiteral, "from-literal", nil, "KEY=VALUE")
}
