#!/usr/bin/env bash
# Recipe for vish/stress:latest — a stand-in for the Go load generator the
# documentation's CPU examples run with args ["-cpus", "2"]: polinux/stress
# (Debian's stress) plus /stress (rootfs/vish-stress/stress), a shell script
# that takes vish/stress's flags and runs Debian's stress with the same load
# (-cpus N: N busy workers; -mem-total Q: one worker holding Q).
# Entrypoint ["/stress", "-logtostderr"], as the original's.
# Run by scripts/build-images.sh with ROOTFS (a copy of polinux/stress:latest)
# and IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

[[ -x $ROOTFS/usr/bin/stress ]] || die "base image has no /usr/bin/stress; expected polinux/stress"
install -m 0755 "$REPO_ROOT/rootfs/vish-stress/stress" "$ROOTFS/stress"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_ENTRYPOINT=(/stress -logtostderr)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
