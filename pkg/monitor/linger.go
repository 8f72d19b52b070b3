package monitor

import (
	"errors"
	"fmt"
	"os"

	"github.com/minipod/minipod/pkg/network"
	"github.com/minipod/minipod/pkg/ns"
)

// dropLingeringVeth deletes the pod's veth pair now, before the pod's
// namespaces are let go, when a TCP socket its processes left behind would
// keep its network namespace alive (network.OpenTCP: a client that stopped
// reading, or whose acknowledgement of the pod's FIN never arrived, leaves
// the pod's end retrying for minutes). The teardown only cuts the pair off,
// for the kernel to delete with the namespace, and that pair would outlive
// the pod as long. Looking costs ~0.2 ms; without such a socket (most
// pods) the pair is cut, which spares `down` the deletion's RCU grace
// period (~20 ms).
func (mon *monitor) dropLingeringVeth() {
	if mon.st == nil || mon.st.PodIP == "" || mon.st.HostNetwork {
		return
	}
	set, release, err := mon.netNamespace()
	if errors.Is(err, errNoNetNS) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
		return
	}
	defer release()
	var open bool
	if err := set.Do(func() (err error) { open, err = network.OpenTCP(); return err }); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
		return
	}
	if !open {
		return
	}
	if err := network.DeleteVeth(network.Owner{Pod: mon.st.Name, UID: mon.st.UID}); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
	}
}

// netNamespace opens the pod's network namespace: from the monitor's own
// hold, or from pause where pause holds it (a shared PID namespace).
func (mon *monitor) netNamespace() (set *ns.Set, release func(), err error) {
	if mon.nsHeld != nil && mon.nsHeld.File("net") != nil {
		return mon.nsHeld.Only("net"), func() {}, nil
	}
	if !mon.st.Pause.Alive() {
		return nil, nil, errNoNetNS
	}
	if set, err = ns.Open(mon.st.Pause.PID, "net"); err != nil {
		return nil, nil, err
	}
	return set, func() { set.Close() }, nil
}

// errNoNetNS: nothing holds the pod's network namespace any more (pause,
// its holder, died): the namespace is gone or going, nothing to drop.
var errNoNetNS = errors.New("no holder of the pod's network namespace")
