// Package store keeps the objects pods refer to on the node, as an API
// server keeps them for a kubelet: ConfigMaps and PersistentVolumeClaims
// under the data root (objects/), Secrets under the run root (.objects/, on
// a tmpfs: a Secret never reaches a disk), one JSON file per object,
// <kind>/<namespace>/<name>.json, written atomically. A claim's volume is a directory beside the claims,
// made on first use and removed with the claim.
package store
