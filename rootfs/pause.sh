#!/usr/bin/env bash
# Recipe for registry.k8s.io/pause:3.10 (aliases 3.9, 3.8) — a stand-in for
# the Kubernetes pause image, which the documentation's pod-level resource
# and resize examples run as a container that does nothing: busybox:latest
# plus /pause (rootfs/pause/pause), a shell script that sleeps until SIGTERM.
# Unlike the real image (one static binary, nothing else) it has a shell and
# busybox's applets, and it reaps only its own children.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

install -m 0755 "$REPO_ROOT/rootfs/pause/pause" "$ROOTFS/pause"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_ENTRYPOINT=(/pause)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
