package monitor

import (
	"github.com/minipod/minipod/pkg/capacity"
	"github.com/minipod/minipod/pkg/cgroups"
	"github.com/minipod/minipod/pkg/seccomp"
)

// CheckSettings reads the node settings every pod's monitor will
// read, so that a bad one fails `up` before anything is created rather
// than each pod after it started.
func CheckSettings() error {
	if _, err := seccomp.NodeDefault(); err != nil {
		return err
	}
	if _, err := cgroups.Detect(); err != nil {
		return err
	}
	if err := capacity.CheckSettings(); err != nil {
		return err
	}
	if _, err := housekeeping(); err != nil {
		return err
	}
	if _, err := podPidsLimit(); err != nil {
		return err
	}
	if _, err := hostPathsAllowed(); err != nil {
		return err
	}
	_, err := logOptions()
	return err
}
