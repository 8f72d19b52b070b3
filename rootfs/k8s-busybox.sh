#!/usr/bin/env bash
# Recipe for registry.k8s.io/busybox:1.27.2 — a stand-in for the busybox
# image that the Kubernetes documentation's probe and sidecar examples run
# (exec-liveness.yaml, multi-container/startup-coordination.yaml): the tree
# of busybox:latest unchanged (Debian's static busybox 1.35, not 1.27.2),
# under that registry name, with the same config (Cmd ["sh"]). The examples
# only use sh, touch, rm, cat, test, sleep and echo.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -x $ROOTFS/bin/busybox ]] || die "base image has no /bin/busybox; expected busybox:latest"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(sh)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
