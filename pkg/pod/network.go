package pod

import "github.com/minipod/minipod/pkg/network"

// NetworkReset removes what `down` leaves on the node for the next pod:
// the pod bridge (with table ip minipod) once no pod uses it, and the run
// root's own tmpfs, where minipod mounted one, once it holds no pod and
// no Secret.
func NetworkReset() error {
	cfg, err := network.LoadConfig(roots.Data)
	if err != nil {
		return err
	}
	if err := cfg.RemoveBridge(roots.Alive); err != nil {
		return err
	}
	return roots.ReleaseRun()
}
