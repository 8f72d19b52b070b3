// Package services makes the node follow its Services: every ready pod a
// Service selects is one of its endpoints in the node's rules (pkg/network),
// and every pod finds the Services by name in its /etc/hosts. There is no
// daemon: whoever changes a Service or a pod's readiness calls Sync, which
// recomputes everything from the store and the pods' state records under
// the node lock.
package services
