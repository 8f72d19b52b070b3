#!/usr/bin/env bash
# Recipe for registry.k8s.io/test-webserver:latest — a stand-in for the
# Kubernetes test image that the Volumes concept page's inline examples run
# (the hostPath ones are test/testdata/k8s-docs/concepts/storage/*.yaml).
# The real one (kubernetes/kubernetes test/images/test-webserver) is a
# static Go program that serves the container's whole file tree
# (http.FileServer of "/") on port 80 (its -port flag). This one is
# busybox:latest whose Entrypoint is busybox httpd in the foreground doing
# the same: `httpd -f -p 80 -h /`, so a GET of /PATH answers the
# container's file PATH. Unlike the real image it has a shell and busybox's
# applets, lists no directories and sends none of its CORS headers.
# The examples name it untagged or :latest, i.e. imagePullPolicy Always: a
# node pulls it every time, so the tests serve this tree from a registry
# answering for registry.k8s.io (test/k8sdocs_hostpath_test.go) rather than
# importing it.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -L $ROOTFS/usr/sbin/httpd ]] || die "base image has no busybox httpd applet"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_ENTRYPOINT=(/usr/sbin/httpd -f -p 80 -h /)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
