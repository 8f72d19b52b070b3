#!/usr/bin/env bash
# Recipe for hashicorp/http-echo:1.0 — a stand-in for the small web server
# of the Kubernetes seccomp tutorial: busybox:latest plus /http-echo
# (rootfs/http-echo/http-echo), a shell script that serves the -text
# argument on port 5678 with busybox httpd. Its system calls are busybox's,
# not those of the real (Go) program, so a syscall allow-list written for
# the real binary does not describe it.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -L $ROOTFS/usr/sbin/httpd ]] || die "base image has no busybox httpd applet"
install -m 0755 "$REPO_ROOT/rootfs/http-echo/http-echo" "$ROOTFS/http-echo"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_ENTRYPOINT=(/http-echo)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
