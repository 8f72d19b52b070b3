#!/usr/bin/env bash
# Recipe for allingeek/ch6_ipc:latest — a stand-in for the seed's POSIX
# message queue demo: busybox:latest plus the static Go program /ipc built
# from rootfs/ipc (run it as "./ipc -producer" and "./ipc -consumer").
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest),
# IMAGE_DIR and GO (the go command) set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

cd "$REPO_ROOT"
CGO_ENABLED=0 "${GO:-go}" build -trimpath -ldflags='-s -w' -o "$ROOTFS/ipc" ./rootfs/ipc
chmod 0755 "$ROOTFS/ipc"
# A quick self-check: the binary runs and knows its flags.
if "$ROOTFS/ipc" -h 2>&1 | grep -q -- -producer; then :; else die "built /ipc does not run"; fi

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_ENTRYPOINT=(/ipc)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
