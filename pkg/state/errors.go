package state

import "errors"

// Sentinel errors callers test with errors.Is.
var (
	ErrNotExist = errors.New("pod not found")
	ErrExist    = errors.New("pod already exists")
	ErrLocked   = errors.New("pod is locked by a running monitor")
)
