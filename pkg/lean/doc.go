// Package lean keeps minipod's long-lived per-pod processes (the monitor
// and pause) small in memory.
package lean
