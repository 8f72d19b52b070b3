#!/usr/bin/env bash
# Recipe for training/webapp:latest — a stand-in for the seed's Flask
# "Hello world!" app: busybox:latest plus busybox httpd serving /www on
# 127.0.0.1:5000 in the foreground. The seed's point is that only nginx's
# port 80 is reachable from outside the pod and nginx reaches the webapp
# over the pod's localhost, so the webapp listens on loopback only.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -L $ROOTFS/usr/sbin/httpd ]] || die "base image has no busybox httpd applet"
install -d -m 0755 "$ROOTFS/www"
# The Flask app answers exactly "Hello world!" (no newline).
printf 'Hello world!' >"$ROOTFS/www/index.html"
chmod 0644 "$ROOTFS/www/index.html"

CONFIG_ENV=("PATH=$IMAGE_PATH")
# -f foreground, -v log requests to stderr (so they show in the pod's logs).
CONFIG_CMD=(/usr/sbin/httpd -f -v -p 127.0.0.1:5000 -h /www)
CONFIG_WORKDIR=/www
write_config "$IMAGE_DIR/config.json"
