#!/usr/bin/env bash
# Recipe for quay.io/crio/artifact:v2 (alias v1) — a stand-in for the OCI
# artifact the Kubernetes image volume pages mount
# (pods/image-volumes.yaml, pods/image-volumes-subpath.yaml). The real
# artifact holds two files and nothing else: dir/file containing "1" and
# file containing "2" (CRI-O's test suite and the task page read both).
# Nothing runs from it: it is only ever a volume, so it has no shell, and
# its config names no command.
# Run by scripts/build-images.sh with ROOTFS (an empty directory) and
# IMAGE_DIR set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

install -d -m 0755 "$ROOTFS/dir"
printf '1\n' >"$ROOTFS/dir/file"
printf '2\n' >"$ROOTFS/file"
chmod 0644 "$ROOTFS/dir/file" "$ROOTFS/file"

write_config "$IMAGE_DIR/config.json"
