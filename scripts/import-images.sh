#!/usr/bin/env bash
# import-images.sh [--prefix PREFIX] [IMAGE...] — put the directory images
# built by scripts/build-images.sh into minipod's OCI image store.
#
# Each <name>:<tag> (alias tags included) becomes a one-layer OCI image named
# PREFIX<name>:<tag> through `minipod image import`; importing a tree twice
# gives the same digest, so aliases share their layer. With the default empty
# PREFIX the OCI image shadows the directory image of the same name (Lookup
# prefers OCI images); a prefix such as "localhost:5000/" keeps them apart.
#
# IMAGE is name[:tag]; the default is every directory image in the store.
#
# Environment:
#   MINIPOD          the minipod binary (default: bin/minipod of this checkout)
#   MINIPOD_IMAGES   store root (default /var/lib/minipod/images)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MINIPOD=${MINIPOD:-$REPO_ROOT/bin/minipod}
STORE=${MINIPOD_IMAGES:-/var/lib/minipod/images}
PREFIX=

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

while (($#)); do
	case $1 in
	--prefix)
		PREFIX=${2:?--prefix needs a value}
		shift 2
		;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		break
		;;
	-*)
		echo "import-images: unknown option $1" >&2
		exit 2
		;;
	*) break ;;
	esac
done

# every name:tag with a rootfs, outside the OCI store (_oci)
list_images() {
	find "$STORE" -mindepth 3 -path "$STORE/_*" -prune -o -name rootfs -type d -print |
		while read -r rootfs; do
			tagdir=$(dirname "$rootfs")
			name=${tagdir#"$STORE"/}
			printf '%s:%s\n' "${name%/*}" "${name##*/}"
			# alias tags: symlinks next to the tag directory pointing at it
			for alias in "$(dirname "$tagdir")"/*; do
				if [[ -L $alias && $(readlink -f "$alias") == "$(readlink -f "$tagdir")" ]]; then
					printf '%s:%s\n' "${name%/*}" "${alias##*/}"
				fi
			done
		done | sort -u
}

if (($# == 0)); then
	mapfile -t images < <(list_images)
else
	images=("$@")
fi
if ((${#images[@]} == 0)); then
	echo "import-images: no directory images in $STORE (build them with: make images)" >&2
	exit 1
fi
for img in "${images[@]}"; do
	[[ $img == *:* ]] || img=$img:latest
	dir=$STORE/${img%:*}/${img##*:}
	if [[ ! -d $dir/rootfs ]]; then
		echo "import-images: $img: no $dir/rootfs" >&2
		exit 1
	fi
	echo "== $img -> $PREFIX$img"
	"$MINIPOD" image import "$dir" "$PREFIX$img"
done
