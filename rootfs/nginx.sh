#!/usr/bin/env bash
# Recipe for nginx:latest (alias nginx:alpine) — Debian's nginx (the light
# build; in bookworm the nginx-light package is just nginx + echo module) on top
# of debian:bookworm, arranged to behave like the official nginx image: user
# nginx (uid/gid 101), /etc/nginx/nginx.conf including conf.d/*.conf, a
# default site on port 80 serving /usr/share/nginx/html, access and error
# logs symlinked to stdout and stderr, Cmd nginx -g 'daemon off;'.
# It is NOT Alpine: the alpine tag only lets the seed's YAML run unchanged.
# Run by scripts/build-images.sh with ROOTFS (a copy of debian:bookworm) and
# IMAGE_DIR set. /proc is mounted in ROOTFS while apt and nginx run, and is
# always unmounted on the way out.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

files=$REPO_ROOT/rootfs/nginx
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
# In bookworm, nginx-light is only a metapackage: "nginx" (which is now the
# light build, core modules only) plus the echo module, which the official
# image's configuration does not load. So install nginx itself.
pkg=nginx
chroot_run "$ROOTFS" apt-cache show --no-all-versions "$pkg" >/dev/null ||
	die "package $pkg not found"
chroot_run "$ROOTFS" apt-get install -y --no-install-recommends "$pkg"

# The user the official image runs its workers as.
if chroot_run "$ROOTFS" getent passwd 101 >/dev/null || chroot_run "$ROOTFS" getent group 101 >/dev/null; then
	die "uid or gid 101 is already taken in the base image"
fi
chroot_run "$ROOTFS" groupadd --system --gid 101 nginx
chroot_run "$ROOTFS" useradd --system --uid 101 --gid nginx --no-create-home \
	--home-dir /nonexistent --shell /bin/false --comment "nginx user" nginx

cd "$ROOTFS"
# Configuration like the official image instead of Debian's sites-enabled.
rm -f etc/nginx/sites-enabled/default
install -d -m 0755 etc/nginx/conf.d usr/share/nginx/html
install -m 0644 "$files/nginx.conf" etc/nginx/nginx.conf
install -m 0644 "$files/default.conf" etc/nginx/conf.d/default.conf
install -m 0644 "$files/index.html" "$files/50x.html" usr/share/nginx/html/
# Logs to the container's stdout/stderr.
install -d -m 0755 var/log/nginx
rm -f var/log/nginx/access.log var/log/nginx/error.log
ln -s /dev/stdout var/log/nginx/access.log
ln -s /dev/stderr var/log/nginx/error.log
# Debian's compiled-in temp paths (client bodies, proxy buffers) live in
# /var/lib/nginx; the workers run as nginx and must be able to write there.
install -d -m 0755 var/lib/nginx
for d in body proxy fastcgi uwsgi scgi; do
	install -d -m 0700 -o 101 -g 101 "var/lib/nginx/$d"
done
# The pid file goes to /var/run/nginx.pid (/var/run -> /run, root-owned,
# written by the root master process).
[[ -d run ]] || die "no /run in the image"

# Check the default configuration and the seed's mc3 proxy configuration.
chroot_run "$ROOTFS" nginx -t
install -m 0644 "$files/testdata/mc3-nginx.conf" tmp/mc3-nginx.conf
chroot_run "$ROOTFS" nginx -t -c /tmp/mc3-nginx.conf
rm -f tmp/mc3-nginx.conf run/nginx.pid

chroot_run "$ROOTFS" apt-get clean
rm -rf var/lib/apt/lists/* var/log/apt/* var/log/dpkg.log var/log/alternatives.log \
	var/cache/ldconfig/aux-cache
mkdir -p var/lib/apt/lists/partial
unmount_under "$ROOTFS/proc"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(nginx -g "daemon off;")
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
