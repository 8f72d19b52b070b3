#!/usr/bin/env bash
# Recipe for gcr.io/google-samples/hello-app:2.0 — a stand-in for Google's
# sample web server that the Kubernetes documentation's security-context
# examples run: busybox:latest plus /hello-app (rootfs/hello-app/hello-app),
# a shell script that serves "Hello, world!\nVersion: 2.0.0\nHostname: ...\n"
# on $PORT (8080) with busybox httpd. The registry name is kept so that the
# documentation's manifests run unchanged; the tests import the tree into the
# OCI store under that name (a directory image only answers Docker Hub names).
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -L $ROOTFS/usr/sbin/httpd ]] || die "base image has no busybox httpd applet"
install -m 0755 "$REPO_ROOT/rootfs/hello-app/hello-app" "$ROOTFS/hello-app"

CONFIG_ENV=("PATH=$IMAGE_PATH" "PORT=8080")
CONFIG_CMD=(/hello-app)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
