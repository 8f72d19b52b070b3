// Package capacity says what this node can give pods and whether one more
// fits, as a one-node Kubernetes cluster decides it: the kubelet's
// allocatable resources (capacity less its default hard eviction
// thresholds) and the scheduler's resource-fit check over the requests of
// the pods already bound to the node.
package capacity
