#!/usr/bin/env bash
# Recipe for polinux/stress:latest — a stand-in for the Docker Hub image the
# Kubernetes documentation's memory examples use: Debian's "stress" package
# (stress 1.0.7, /usr/bin/stress) on top of debian:bookworm. The examples run
# it with command ["stress"] and args such as --vm 1 --vm-bytes 150M
# --vm-hang 1: one worker that allocates and touches 150 MB, holds it for a
# second, frees it and starts again. The image has no Entrypoint; Cmd is
# ["stress", "--help"].
# Run by scripts/build-images.sh with ROOTFS (a copy of debian:bookworm) and
# IMAGE_DIR set. /proc is mounted in ROOTFS while apt runs, and is always
# unmounted on the way out.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -x $ROOTFS/usr/bin/apt-get ]] || die "base image has no apt-get; expected debian:bookworm"

cleanup() {
	unmount_under "$ROOTFS/proc" || true
	write_placeholders "$ROOTFS"
}
trap cleanup EXIT

rm -f "$ROOTFS/etc/resolv.conf"
cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf" # DNS for apt while building
mount -t proc -o nosuid,nodev,noexec proc "$ROOTFS/proc"

chroot_run "$ROOTFS" apt-get update
chroot_run "$ROOTFS" apt-get install -y --no-install-recommends stress
# A quick self-check: one vm worker allocates 1 MB once and exits 0.
chroot_run "$ROOTFS" stress --vm 1 --vm-bytes 1M --timeout 1s

cd "$ROOTFS"
chroot_run "$ROOTFS" apt-get clean
rm -rf var/lib/apt/lists/* var/log/apt/* var/log/dpkg.log var/log/alternatives.log \
	var/cache/ldconfig/aux-cache
mkdir -p var/lib/apt/lists/partial
unmount_under "$ROOTFS/proc"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(stress --help)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
