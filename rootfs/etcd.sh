#!/usr/bin/env bash
# Recipe for registry.k8s.io/etcd:3.5.1-0 — a stand-in for the etcd image
# that the probes page's gRPC example runs (pods/probe/grpc-liveness.yaml:
# command /usr/local/bin/etcd --data-dir /var/lib/etcd --listen-client-urls
# http://0.0.0.0:2379 ... and a gRPC liveness probe on 2379): Debian's
# etcd-server and etcd-client packages (etcd 3.4.23, not 3.5.1) on top of
# debian:bookworm, with /usr/local/bin/etcd and /usr/local/bin/etcdctl
# linking to them, where the real image has its binaries. etcd serves the
# gRPC Health Checking Protocol (grpc.health.v1.Health, service "") on its
# client port since 3.3, which is what the probe asks. The real image is
# distroless (no apt, no coreutils; a static bash as /bin/sh); this one is
# a whole minimal Debian. Like the real image it has no Entrypoint and no
# Cmd: the example gives the command. etcd runs as root, in the empty
# /var/lib/etcd (mode 0700) it is given.
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
chroot_run "$ROOTFS" apt-get install -y --no-install-recommends etcd-server etcd-client
chroot_run "$ROOTFS" etcd --version

cd "$ROOTFS"
ln -sfn /usr/bin/etcd usr/local/bin/etcd
ln -sfn /usr/bin/etcdctl usr/local/bin/etcdctl
rm -rf --one-file-system var/lib/etcd
install -d -m 0700 var/lib/etcd
chroot_run "$ROOTFS" apt-get clean
rm -rf var/lib/apt/lists/* var/log/apt/* var/log/dpkg.log var/log/alternatives.log \
	var/cache/ldconfig/aux-cache
mkdir -p var/lib/apt/lists/partial
unmount_under "$ROOTFS/proc"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
