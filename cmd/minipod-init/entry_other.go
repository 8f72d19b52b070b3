//go:build !amd64

package main

// entryResult: no entry point joins a user namespace on this
// architecture, so pods with hostUsers: false cannot start (ctrinit.Enter
// says so).
func entryResult() (user, mount, userns int64) { return 0, 0, 0 }
