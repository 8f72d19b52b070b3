#!/usr/bin/env bash
# Recipe for minipod-attacker:latest — the hostile container of the attack
# tests (test/attack_*_test.go): busybox:latest plus the static Go program
# /attack built from rootfs/attacker, which makes the system calls an escape
# attempt needs and busybox cannot make (TIOCSTI, keyctl, /proc/PID/exe
# races, leases). Run by scripts/build-images.sh with ROOTFS (a copy of
# busybox:latest), IMAGE_DIR and GO (the go command) set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

cd "$REPO_ROOT"
CGO_ENABLED=0 "${GO:-go}" build -trimpath -ldflags='-s -w' -o "$ROOTFS/attack" ./rootfs/attacker
chmod 0755 "$ROOTFS/attack"
# A quick self-check: the binary runs and lists its subcommands (its usage
# exits 2, hence the || true).
usage=$("$ROOTFS/attack" 2>&1 || true)
[[ $usage == *exe-attack* ]] || die "built /attack does not run"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(sh)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
