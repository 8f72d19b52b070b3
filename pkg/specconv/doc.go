// Package specconv turns one container of a pod into an OCI runtime-spec
// config: the mounts, devices, namespaces, capabilities and process that
// minipod's init applies. It is a pure function of its inputs, so every
// container's config.json is a readable, table-tested record of what ran.
package specconv
