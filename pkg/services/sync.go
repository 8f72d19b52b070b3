package services

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	"github.com/minipod/minipod/pkg/store"
)

// markerName, in the run root, says that service rules may be installed:
// without it and without Services, Sync has nothing to do and costs a
// node without Services one stat.
const markerName = ".services"

// Sync recomputes every Service's endpoints from the pods on the node and
// makes the node's rules and the pods' /etc/hosts say so.
func Sync(r state.Roots) error {
	if followed, err := Followed(r); err != nil || !followed {
		return err
	}
	lock, err := r.LockNode()
	if err != nil {
		return err
	}
	defer lock.Close()
	return syncLocked(r, filepath.Join(r.Run, markerName))
}

// Followed reports whether there is anything for Sync to do: a Service
// stored, or rules a former one may have left (the marker).
func Followed(r state.Roots) (bool, error) {
	svcs, err := store.New(r).List(store.Services, "")
	if err != nil {
		return false, err
	}
	if len(svcs) > 0 {
		return true, nil
	}
	_, err = os.Stat(filepath.Join(r.Run, markerName))
	return !errors.Is(err, fs.ErrNotExist), nil
}

// syncLocked reads everything again under the lock: what was listed
// before it may have changed.
func syncLocked(r state.Roots, marker string) error {
	svcs, err := services(r)
	if err != nil {
		return err
	}
	pods := readyPods(r)
	if len(svcs) > 0 {
		if err := os.WriteFile(marker, nil, 0o600); err != nil {
			return fmt.Errorf("sync services: %w", err)
		}
	}
	cfg, err := network.LoadConfig(r.Data)
	if err != nil {
		return fmt.Errorf("sync services: %w", err)
	}
	if err := network.SyncServices(rulePorts(svcs, pods), cfg.Subnet, cfg.Bridge); err != nil {
		return fmt.Errorf("sync services: %w", err)
	}
	updateHosts(r, svcs, pods)
	if len(svcs) == 0 {
		_ = os.Remove(marker) // nothing left to follow
	}
	return nil
}

// services lists the stored Services of every namespace.
func services(r state.Roots) ([]*podspec.Service, error) {
	return store.New(r).ServicesOf("")
}
