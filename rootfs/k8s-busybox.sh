#!/usr/bin/env bash
# Recipe for registry.k8s.io/busybox:1.27.2 — a stand-in for the busybox
# image that the Kubernetes documentation's probe and sidecar examples run
# (exec-liveness.yaml, multi-container/startup-coordination.yaml): the tree
# of busybox:latest unchanged (Debian's static busybox 1.35, not 1.27.2),
# under that registry name, with the same config (Cmd ["sh"]). The examples
# use sh, touch, rm, cat, test, sleep, echo and printenv; Debian's busybox
# is built without the printenv applet, so a small script stands in for it
# (dapi-envars-container.yaml prints its variables with it).
# Run by scripts/build-images.sh with ROOTFS (a copy of busybox:latest) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -x $ROOTFS/bin/busybox ]] || die "base image has no /bin/busybox; expected busybox:latest"

# printenv [NAME...]: every variable, or the value of each one named (exit
# status 1 if one is not set), as busybox's applet prints them.
cat >"$ROOTFS/usr/bin/printenv" <<'SCRIPT'
#!/bin/sh
[ $# -eq 0 ] && exec env
rc=0
for name in "$@"; do
	case $name in *[!A-Za-z0-9_]* | [0-9]* | '') rc=1; continue ;; esac
	if eval "[ -n \"\${$name+set}\" ]"; then
		eval "printf '%s\\n' \"\$$name\""
	else
		rc=1
	fi
done
exit $rc
SCRIPT
chmod 0755 "$ROOTFS/usr/bin/printenv"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(sh)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
