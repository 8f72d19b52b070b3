#!/usr/bin/env bash
# Recipe for redis:latest — a stand-in for the Docker Hub redis image (the
# second container of the QoS documentation's two-container example):
# Debian's redis-server 7.0 on top of debian:bookworm, started as
# "redis-server" with no configuration file, i.e. Redis' built-in defaults
# (port 6379 on every address, logs to stdout, in the foreground), in /data.
# Unlike the official image it runs as root (no gosu entrypoint).
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

printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
rm -f "$ROOTFS/etc/resolv.conf"
cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf" # DNS for apt while building
mount -t proc -o nosuid,nodev,noexec proc "$ROOTFS/proc"

chroot_run "$ROOTFS" apt-get update
chroot_run "$ROOTFS" apt-get install -y --no-install-recommends redis-server
chroot_run "$ROOTFS" redis-server --version

cd "$ROOTFS"
install -d -m 0755 data
chroot_run "$ROOTFS" apt-get clean
rm -rf var/lib/apt/lists/* var/log/apt/* var/log/dpkg.log var/log/alternatives.log \
	var/cache/ldconfig/aux-cache var/log/redis/*
mkdir -p var/lib/apt/lists/partial
unmount_under "$ROOTFS/proc"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(redis-server)
CONFIG_WORKDIR=/data
write_config "$IMAGE_DIR/config.json"
