package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// signalContext ends when the user presses Ctrl-C or the command gets
// SIGTERM: long-running verbs (watch, follow, forward, pull) stop cleanly.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
