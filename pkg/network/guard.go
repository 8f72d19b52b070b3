package network

// GuardNode writes the table's fixed rules for a hostNetwork pod, which
// gets no attachment: its processes are the node's, and what the node
// sends to Service default/kubernetes's address is refused (guardRules)
// as it is from the pods on the bridge. No bridge is made.
func (c Config) GuardNode() error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return c.ensureNAT()
}
