package main

import (
	"fmt"

	"github.com/minipod/minipod/pkg/pod"
	"github.com/spf13/cobra"
)

func newExec() *cobra.Command {
	o := pod.ExecOptions{}
	cmd := &cobra.Command{
		Use:   "exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]",
		Short: "Run a command inside a running container",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dash := cmd.ArgsLenAtDash(); dash != 1 {
				return fmt.Errorf("exec: usage: minipod exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]")
			}
			o.Pod, o.Args, o.Err = args[0], args[1:], cmd.ErrOrStderr()
			code, err := pod.Exec(o)
			if err != nil {
				return err
			}
			if code != 0 {
				return exitCode(code)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Container, "container", "c", "", "container name (default: the first container)")
	f.BoolVarP(&o.Stdin, "stdin", "i", false, "pass standard input to the command")
	f.BoolVarP(&o.TTY, "tty", "t", false, "give the command a terminal")
	return cmd
}
