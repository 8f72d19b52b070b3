package main

import (
	"errors"
	"fmt"

	"github.com/minipod/minipod/pkg/pod"
	"github.com/minipod/minipod/pkg/safeterm"
	"github.com/spf13/cobra"
)

func newUp() *cobra.Command {
	var detach, waitReady bool
	var files []string
	cmd := &cobra.Command{
		Use:   "up [-d] [--wait-ready=false] (FILE | -f FILE...)",
		Short: "Create the pods of manifests, and keep their ConfigMaps, Secrets and PersistentVolumeClaims",
		Long: "Keep every ConfigMap, Secret and PersistentVolumeClaim of the files on the node\n" +
			"(until deleted), then create every Pod ('-' reads standard input). Without -d,\n" +
			"stream the containers' output until the pods finish; Ctrl-C deletes them.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files = append(files, args...)
			if len(files) == 0 {
				return errors.New("up: give a manifest: FILE or -f FILE")
			}
			return pod.Up(pod.UpOptions{Files: files, Detach: detach, NoWaitReady: !waitReady, Out: cmd.OutOrStdout(), Err: safeterm.Writer(cmd.ErrOrStderr())})
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "a manifest (repeat for more)")
	cmd.Flags().BoolVarP(&detach, "detach", "d", false, "return once every container runs (and is ready, where it has probes)")
	cmd.Flags().BoolVar(&waitReady, "wait-ready", true, "with -d, wait for startup and readiness probes to pass")
	return cmd
}

func newDown() *cobra.Command {
	var files []string
	var grace int
	var ignore bool
	cmd := &cobra.Command{
		Use:     "down [POD...] | down KIND NAME... | down -f FILE...",
		Aliases: []string{"delete"},
		Short:   "Delete pods (stop their containers gracefully and remove everything they had), ConfigMaps, Secrets or PersistentVolumeClaims",
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, names, err := splitKind(args)
			if err != nil {
				return err
			}
			if kind != nil {
				if len(names) == 0 {
					return fmt.Errorf("delete %s: name one", kind.Name)
				}
				return pod.DeleteObjects(*kind, names, ignore, cmd.OutOrStdout())
			}
			return pod.Down(pod.DownOptions{Names: names, Files: files, GracePeriod: grace, IgnoreNotFound: ignore, Out: cmd.OutOrStdout(), Err: safeterm.Writer(cmd.ErrOrStderr())})
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "delete the pods and objects defined in this manifest (repeat for more)")
	cmd.Flags().IntVar(&grace, "grace-period", -1, "seconds to wait after SIGTERM before SIGKILL (-1: the pod's terminationGracePeriodSeconds)")
	cmd.Flags().BoolVar(&ignore, "ignore-not-found", false, "a pod or object that does not exist is no error")
	return cmd
}
