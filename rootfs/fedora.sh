#!/usr/bin/env bash
# Recipe for fedora:latest — NOT Fedora. A stand-in for the second container
# of the documentation's pod-level resources example, which only runs
# "sleep inf": busybox:latest (whose sleep accepts "inf") with an
# /etc/os-release that says what it is. No dnf, no rpm, no bash.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

"$ROOTFS/bin/busybox" sleep inf &
pid=$!
sleep 0.2
kill -0 "$pid" 2>/dev/null || die "busybox sleep does not accept inf"
kill "$pid"
wait "$pid" 2>/dev/null || true

cat >"$ROOTFS/etc/os-release" <<'OS'
NAME="minipod stand-in for fedora (busybox)"
ID=minipod-fedora-stand-in
PRETTY_NAME="busybox under the name fedora (minipod test image)"
OS
chmod 0644 "$ROOTFS/etc/os-release"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(sh)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
