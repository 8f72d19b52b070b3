// Package image resolves a pod's `image:` reference to a root filesystem and
// its image config in minipod's local store. The store is a directory tree
// built by scripts/build-images.sh; registry pulls plug in behind Lookup later.
package image
