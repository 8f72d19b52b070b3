package main

import (
	"github.com/spf13/cobra"
)

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "minipod",
		Short: "Run Kubernetes v1 Pods on one Linux machine with real namespaces",
		Long: "minipod runs Kubernetes v1 Pods on this machine: a pause process holds each pod's\n" +
			"network, IPC and UTS namespaces; every container gets its own mount and PID\n" +
			"namespace and root filesystem. Run it as root.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newUp(), newDown(), newCreate(), newExpose(), newGet(), newDescribe(), newLogs(), newExec(), newAttach(), newPortForward(), newNetwork(), newTop(), newVersion(), newWait())
	root.AddCommand(imageCommands()...)
	return root
}
