// Package image is minipod's local image store: it resolves a pod's `image:`
// reference to overlay lower layers and an image config.
//
// Two kinds of image live under the images root (/var/lib/minipod/images):
// plain directory images <name>/<tag>/{rootfs,config.json} built by
// scripts/build-images.sh, and OCI images in the content-addressed store
// <root>/_oci (see Store). Lookup prefers an OCI image recorded under the
// reference and falls back to a directory image for Docker Hub names.
//
// This package is on every container start's path, so it links nothing with
// a costly package init (regular expressions are compiled on first use).
// Fetching (registries, archives) lives in pkg/image/pull, which links
// go-containerregistry and runs as the minipod-pull program only.
package image
