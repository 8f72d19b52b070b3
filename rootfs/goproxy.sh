#!/usr/bin/env bash
# Recipe for registry.k8s.io/goproxy:0.1 — a stand-in for the Kubernetes
# test image that the probes page's TCP example runs
# (pods/probe/tcp-liveness-readiness.yaml): the real one is a single static
# Go binary (an elazarl/goproxy HTTP proxy on port 8080, FROM scratch,
# Entrypoint ["/goproxy"]); this one is busybox:latest plus /goproxy
# (rootfs/goproxy/goproxy), a shell script that listens on 8080 with busybox
# nc, answers non-proxy requests with goproxy's 500, tunnels CONNECT and
# forwards absolute-form http:// requests. The example's probes only open a
# TCP connection to 8080. Unlike the real image it has a shell and busybox's
# applets.
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -L $ROOTFS/usr/bin/nc ]] || die "base image has no busybox nc applet"
install -m 0755 "$REPO_ROOT/rootfs/goproxy/goproxy" "$ROOTFS/goproxy"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_ENTRYPOINT=(/goproxy)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
