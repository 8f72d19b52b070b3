#!/usr/bin/env bash
# Recipe for registry.k8s.io/e2e-test-images/agnhost:2.45 (alias 2.40) — a
# stand-in for the Kubernetes e2e test image as the documentation uses it: a
# shell (busybox:latest) whose /etc/passwd and /etc/group define the user uid
# 1000 "user-defined-in-image" and its group 50000 "group-defined-in-image"
# (the implicit group membership the security-context page's
# supplementalGroupsPolicy examples are about), plus /agnhost
# (rootfs/agnhost/agnhost) with the "pause" subcommand and the "liveness"
# server of the probes page (http-liveness.yaml, agnhost:2.40: /healthz
# answers 200 for 10 s, then 500). The two tags are one tree: the real 2.40
# and 2.45 differ in ways these examples do not see.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

files=$REPO_ROOT/rootfs/agnhost
if grep -q ':x:1000:' "$ROOTFS/etc/passwd" || grep -qE '^[^:]*:x:(1000|50000):' "$ROOTFS/etc/group"; then
	die "uid 1000 or gid 1000/50000 is already taken in the base image"
fi
cat "$files/passwd" >>"$ROOTFS/etc/passwd"
cat "$files/group" >>"$ROOTFS/etc/group"
install -d -m 0755 -o 1000 -g 1000 "$ROOTFS/home/user-defined-in-image"
# liveness serves with busybox nc (one shell per connection) and decodes
# URLs with busybox httpd -d.
[[ -L $ROOTFS/usr/bin/nc && -L $ROOTFS/usr/sbin/httpd ]] || die "base image has no busybox nc or httpd applet"
install -m 0755 "$files/agnhost" "$ROOTFS/agnhost"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_ENTRYPOINT=(/agnhost)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
