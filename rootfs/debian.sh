#!/usr/bin/env bash
# Recipe for debian:bookworm (alias debian:latest) — a minimal Debian 12
# made by `debootstrap --variant=minbase`, with apt pointed at bookworm,
# bookworm-updates and bookworm-security like the official image, and with
# apt's package lists and caches removed.
#
# The downloaded .debs are kept in $MINIPOD_CACHE/debootstrap/ as a tarball
# (debootstrap --make-tarball), so a rebuild unpacks offline. Delete the
# tarball to pick up newer packages.
# Run by scripts/build-images.sh with ROOTFS (an empty directory), IMAGE_DIR,
# MINIPOD_CACHE and DEBIAN_MIRROR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
arch=$(dpkg --print-architecture)
cache=$MINIPOD_CACHE/debootstrap
tarball=$cache/$suite-minbase-$arch.tgz
opts=(--variant=minbase "--arch=$arch")
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -f $keyring ]] && opts+=("--keyring=$keyring")
mkdir -p "$cache"

work=
cleanup() {
	[[ -z $work ]] || remove_tree "$work"
}
trap cleanup EXIT

download() {
	echo "downloading $suite packages from $mirror into $tarball"
	work=$(mktemp -d "$cache/.work.XXXXXX")
	debootstrap "${opts[@]}" --make-tarball="$work/debs.tgz" "$suite" "$work/target" "$mirror"
	mv -f "$work/debs.tgz" "$tarball"
	remove_tree "$work"
	work=
}

# bootstrap: first stage (unpack) from the cached tarball, then the second
# stage (dpkg configures everything) inside the new root with dpkg told not
# to fsync every file, which is most of debootstrap's time otherwise. The
# setting stays in the image, as in the official Debian images.
bootstrap() {
	debootstrap "${opts[@]}" --foreign --unpack-tarball="$tarball" "$suite" "$ROOTFS" "$mirror" || return 1
	mkdir -p "$ROOTFS/etc/dpkg/dpkg.cfg.d"
	printf '%s\n' '# minipod images: no fsync per file while installing packages' force-unsafe-io \
		>"$ROOTFS/etc/dpkg/dpkg.cfg.d/90minipod-unsafe-io"
	chroot_run "$ROOTFS" /debootstrap/debootstrap --second-stage
}

[[ -s $tarball ]] || download
if ! bootstrap; then
	echo "debootstrap from the cached tarball failed; downloading again"
	unmount_under "$ROOTFS"
	remove_tree "$ROOTFS"
	mkdir -m 0755 "$ROOTFS"
	rm -f "$tarball"
	download
	bootstrap
fi
# debootstrap unmounts what it mounted; make sure.
unmount_under "$ROOTFS"

cd "$ROOTFS"
# apt sources as in the official debian:bookworm image.
rm -f etc/apt/sources.list
cat >etc/apt/sources.list.d/debian.sources <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

# Container-friendly apt and dpkg settings: no package caches kept after
# install, no translations, and no service (re)starts from maintainer
# scripts (policy-rc.d exit 101 = "action forbidden").
cat >etc/apt/apt.conf.d/90minipod-clean <<'APTCONF'
// minipod images: keep no downloaded packages or binary caches.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APT::Install-Recommends "false";
APTCONF
printf '#!/bin/sh\n# minipod images never start services at package install time.\nexit 101\n' >usr/sbin/policy-rc.d
chmod 0755 usr/sbin/policy-rc.d

# Remove what is specific to this build host or only a cache.
rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb \
	var/cache/apt/archives/partial/* var/cache/ldconfig/aux-cache \
	var/log/apt/* var/log/dpkg.log var/log/alternatives.log var/log/bootstrap.log
mkdir -p var/lib/apt/lists/partial
rm -f etc/machine-id var/lib/dbus/machine-id
write_placeholders "$ROOTFS"
printf 'debootstrap --variant=minbase %s %s (minipod)\n' "$suite" "$mirror" >etc/minipod-image

chroot_run "$ROOTFS" bash -c 'test -s /etc/debian_version' ||
	die "the new rootfs does not run bash"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(bash)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
