#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages minipod's build, images and tests need.
# (linux-libc-dev: the kernel headers the seccomp syscall table test regenerates from;
# nftables: the nft command the Service tests read the node's rules with.)
# Only what is missing is installed, so a second run is instant.
set -euo pipefail

need=()
for pkg in debootstrap busybox-static iproute2 shellcheck util-linux procps linux-libc-dev nftables; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
	echo "installing: ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${need[@]}"
fi
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
	echo "note: add /usr/local/go/bin to PATH" >&2
fi
