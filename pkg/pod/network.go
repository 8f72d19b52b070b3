package pod

import "github.com/minipod/minipod/pkg/network"

// NetworkReset removes the pod bridge once no pod uses it: the one piece of
// node configuration `down` leaves in place.
func NetworkReset() error {
	cfg, err := network.LoadConfig(roots.Data)
	if err != nil {
		return err
	}
	return cfg.RemoveBridge(roots.Alive)
}
