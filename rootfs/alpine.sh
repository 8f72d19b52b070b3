#!/usr/bin/env bash
# Recipe for alpine:latest — NOT Alpine Linux. A stand-in for the image of
# the sidecar examples of the Kubernetes documentation
# (application/deployment-sidecar.yaml, application/job/job-sidecar.yaml),
# whose containers only run sh -c with echo, sleep and "tail -F":
# busybox:latest (Debian's static busybox, glibc, not musl; Alpine's /bin/sh
# is busybox ash too) with an /etc/os-release that says what it is. No apk,
# no /etc/alpine-release, no musl.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

# tail -F (follow by name, wait for the file to appear) is what the
# logshipper sidecar runs.
"$ROOTFS/bin/busybox" tail --help 2>&1 | grep -q -- '-F' || die "busybox tail has no -F"

cat >"$ROOTFS/etc/os-release" <<'OS'
NAME="minipod stand-in for alpine (busybox)"
ID=minipod-alpine-stand-in
PRETTY_NAME="busybox under the name alpine (minipod test image)"
OS
chmod 0644 "$ROOTFS/etc/os-release"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(/bin/sh)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
