#!/usr/bin/env bash
# build-images.sh [--force] [IMAGE...] — build minipod's local images.
#
# Images are plain root filesystem trees built from Debian packages by the
# recipes in rootfs/ (see rootfs/README.md). Each one lands in
#   $MINIPOD_IMAGES/<name>/<tag>/rootfs/       the tree
#   $MINIPOD_IMAGES/<name>/<tag>/config.json   OCI image "config" object
#   $MINIPOD_IMAGES/<name>/<tag>/.recipe-sha256  what it was built from
# and tag aliases are symlinks to a tag directory of the same name.
#
# IMAGE is name[:tag] (an alias tag works too); the default is all images.
# An image whose recipe inputs did not change is skipped ("up to date");
# debian and nginx are restored from a snapshot of their last build in
# $MINIPOD_CACHE/snapshots when the store lost them but their inputs did not
# change. --force rebuilds the named images from their recipes anyway.
#
# Environment:
#   MINIPOD_IMAGES         store root (default /var/lib/minipod/images)
#   MINIPOD_CACHE          download cache and build logs (default /var/cache/minipod)
#   MINIPOD_DEBIAN_MIRROR  Debian mirror (default http://deb.debian.org/debian)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

# The image table, in build order (a base comes before the images that use it):
#   name:tag | recipe (rootfs/<recipe>.sh, plus rootfs/<recipe>/ if present) | base | alias tags | snapshot
# "snapshot" images are slow to build (debootstrap, apt); a copy of the last
# build is kept in $MINIPOD_CACHE/snapshots/ and restored when the store has
# lost the image but its inputs did not change.
IMAGES=(
	"busybox:latest|busybox||1.28|"
	"debian:bookworm|debian||latest|snapshot"
	"nginx:latest|nginx|debian:bookworm|alpine|snapshot"
	"training/webapp:latest|webapp|busybox:latest||"
	"allingeek/ch6_ipc:latest|ipc|busybox:latest||"
	"minipod-attacker:latest|attacker|busybox:latest||"
	"polinux/stress:latest|stress|debian:bookworm||snapshot"
	"vish/stress:latest|vish-stress|polinux/stress:latest||"
	"redis:latest|redis|debian:bookworm||snapshot"
	"fedora:latest|fedora|busybox:latest||"
	"gcr.io/google-samples/hello-app:2.0|hello-app|busybox:latest||"
	"registry.k8s.io/e2e-test-images/agnhost:2.45|agnhost|busybox:latest|2.40|"
	"registry.k8s.io/pause:3.10|pause|busybox:latest|3.9 3.8|"
	"hashicorp/http-echo:1.0|http-echo|busybox:latest||"
	"registry.k8s.io/busybox:1.27.2|k8s-busybox|busybox:latest||"
	"registry.k8s.io/goproxy:0.1|goproxy|busybox:latest||"
	"registry.k8s.io/etcd:3.5.1-0|etcd|debian:bookworm||snapshot"
	"alpine:latest|alpine|busybox:latest||"
	"registry.k8s.io/test-webserver:latest|test-webserver|busybox:latest||"
	"quay.io/crio/artifact:v2|crio-artifact||v1|"
)

# Recipes that compile a Go program of this repository: their stamp covers
# go.mod, go.sum and the Go version, and building them needs Go.
GO_RECIPES=" ipc attacker "

STORE=${MINIPOD_IMAGES:-/var/lib/minipod/images}
# Images may hold setuid-root files: only root may reach the store.
install -d -m 0700 "$STORE"
chmod 0700 "$STORE"
CACHE=${MINIPOD_CACHE:-/var/cache/minipod}
CLEANUP=()
RECIPE_PID=

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
	printf '\nImages:\n'
	local e
	for e in "${IMAGES[@]}"; do
		IFS='|' read -r key _ base aliases _ <<<"$e"
		printf '  %-26s%s%s\n' "$key" "${aliases:+aliases: $aliases  }" "${base:+from $base}"
	done
}

cleanup() {
	local d rc=0
	for d in "${CLEANUP[@]}"; do
		remove_tree "$d" || rc=1
	done
	CLEANUP=()
	return "$rc"
}

# stop_recipe ends whatever is left of the running recipe's process group
# (a recipe runs in its own session, so this never touches anything else):
# TERM first so its own trap can unmount, KILL after two seconds.
stop_recipe() {
	local pgid=$RECIPE_PID i
	[[ -n $pgid ]] || return 0
	RECIPE_PID=
	kill -TERM -- "-$pgid" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		kill -0 -- "-$pgid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL -- "-$pgid" 2>/dev/null || true
	sleep 0.1
}

# run_recipe DIR LOG RECIPE runs RECIPE in a new session to build the image
# in DIR (DIR/rootfs, DIR/config.json), its output going to LOG.
run_recipe() {
	local tmp=$1 log=$2 recipe=$3 rc=0
	env IMAGE_DIR="$tmp" ROOTFS="$tmp/rootfs" REPO_ROOT="$REPO_ROOT" \
		MINIPOD_CACHE="$CACHE" DEBIAN_MIRROR="$MIRROR" GO="$GO" \
		setsid bash "$recipe" </dev/null >"$log" 2>&1 &
	RECIPE_PID=$!
	wait "$RECIPE_PID" || rc=$?
	stop_recipe
	return "$rc"
}

on_exit() {
	local rc=$?
	stop_recipe
	cleanup || {
		printf 'build-images: could not clean up everything; see above\n' >&2
		rc=1
	}
	exit "$rc"
}

# canonical_dir DIR creates DIR and prints its canonical path.
canonical_dir() {
	mkdir -p -- "$1"
	local d
	d=$(realpath -e -- "$1")
	case $d in
	/*[[:space:]\\]* | *[[:space:]\\]*) die "path must not contain blanks or backslashes: $d" ;;
	esac
	printf '%s' "$d"
}

# lookup NAME[:TAG] prints the table entry that builds it (aliases resolve).
lookup() {
	local want=$1 e key aliases a
	[[ $want == *:* ]] || want+=:latest
	for e in "${IMAGES[@]}"; do
		IFS='|' read -r key _ _ aliases _ <<<"$e"
		[[ $want == "$key" ]] && { printf '%s' "$e"; return 0; }
		for a in $aliases; do
			[[ $want == "${key%:*}:$a" ]] && { printf '%s' "$e"; return 0; }
		done
	done
	return 1
}

installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

ensure_packages() {
	local missing=() p
	command -v dpkg-query >/dev/null || die "this script needs a Debian or Ubuntu host (dpkg/apt)"
	for p in "$@"; do installed "$p" || missing+=("$p"); done
	((${#missing[@]})) || return 0
	printf 'installing %s\n' "${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
		apt-get update -qq >/dev/null || die "apt-get update failed"
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
			die "could not install: ${missing[*]}"
	fi
}

find_go() {
	local g
	for g in "$(command -v go || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
		[[ -n $g && -x $g ]] && { printf '%s' "$g"; return 0; }
	done
	die "Go is needed to build $1 but 'go' was not found"
}

# stamp_of ENTRY prints the hash of everything the image is built from:
# the shared helpers, its recipe and data files, and its base's stamp.
stamp_of() {
	local recipe base extra=()
	IFS='|' read -r _ recipe base _ _ <<<"$1"
	if [[ -d $REPO_ROOT/rootfs/$recipe ]]; then
		mapfile -t extra < <(find "$REPO_ROOT/rootfs/$recipe" -type f | LC_ALL=C sort)
	fi
	[[ $GO_RECIPES != *" $recipe "* ]] || extra+=("$REPO_ROOT/go.mod" "$REPO_ROOT/go.sum")
	{
		local f
		for f in "$REPO_ROOT/scripts/image-lib.sh" "$REPO_ROOT/rootfs/$recipe.sh" "${extra[@]}"; do
			printf '%s\n' "${f#"$REPO_ROOT"/}"
			sha256sum <"$f"
		done
		[[ -z $base ]] || cat "$STORE/${base%:*}/${base##*:}/.recipe-sha256"
		[[ $GO_RECIPES != *" $recipe "* ]] || "$GO" version
	} | sha256sum | cut -d' ' -f1
}

is_current() {
	local dir=$1 stamp=$2
	[[ -d $dir/rootfs && -f $dir/config.json && -f $dir/.recipe-sha256 ]] &&
		[[ $(<"$dir/.recipe-sha256") == "$stamp" ]]
}

link_aliases() {
	local namedir=$1 tag=$2 a
	shift 2
	for a in "$@"; do
		if [[ -e $namedir/$a && ! -L $namedir/$a ]]; then
			remove_tree "$namedir/$a" || die "cannot replace $namedir/$a"
		fi
		ln -sfn -- "$tag" "$namedir/$a"
	done
}

# restore_snapshot SNAP STAMP DIR unpacks the cached build SNAP into DIR if
# it was made from STAMP.
restore_snapshot() {
	local snap=$1 stamp=$2 dir=$3
	[[ -f $snap && -f $snap.sha256 && $(<"$snap.sha256") == "$stamp" ]] || return 1
	rm -rf --one-file-system -- "${dir:?}/rootfs"
	tar -C "$dir" --numeric-owner --xattrs --xattrs-include='*' -xzpf "$snap"
}

# save_snapshot DIR STAMP SNAP keeps a copy of the finished build in DIR.
save_snapshot() {
	local dir=$1 stamp=$2 snap=$3
	mkdir -p "$(dirname "$snap")"
	rm -f "$snap.sha256"
	CLEANUP+=("$snap.part")
	tar -C "$dir" --numeric-owner --xattrs --xattrs-include='*' -cf - rootfs config.json |
		gzip -1 >"$snap.part"
	mv -f "$snap.part" "$snap"
	printf '%s\n' "$stamp" >"$snap.sha256"
}

# build ENTRY builds one image unless it is up to date, then prints one line.
build() {
	local entry=$1 key recipe base aliases snapshot name tag namedir dest stamp tmp log start
	IFS='|' read -r key recipe base aliases snapshot <<<"$entry"
	name=${key%:*} tag=${key##*:}
	namedir=$(canonical_dir "$STORE/$name")
	dest=$namedir/$tag
	stamp=$(stamp_of "$entry")
	# shellcheck disable=SC2086 # aliases is a blank-separated list
	if [[ $FORCE != *" $key "* ]] && is_current "$dest" "$stamp"; then
		link_aliases "$namedir" "$tag" $aliases
		printf '%s up to date\n' "$key"
		return 0
	fi

	start=$(now_us)
	tmp=$(mktemp -d "$namedir/.tmp-$tag.XXXXXX")
	chmod 0755 "$tmp"
	CLEANUP+=("$tmp")
	local snap=$CACHE/snapshots/${name//\//_}_$tag.tar.gz how=built
	if [[ -n $snapshot && $FORCE != *" $key "* ]] && restore_snapshot "$snap" "$stamp" "$tmp"; then
		how="restored from the snapshot cache"
	else
		rm -rf --one-file-system -- "$tmp/rootfs" "$tmp/config.json"
		if [[ -n $base ]]; then
			cp -a --reflink=auto -- "$STORE/${base%:*}/${base##*:}/rootfs" "$tmp/rootfs"
		else
			mkdir -m 0755 "$tmp/rootfs"
		fi
		log=$CACHE/logs/${name//\//_}_$tag.log
		mkdir -p "$CACHE/logs"
		if ! run_recipe "$tmp" "$log" "$REPO_ROOT/rootfs/$recipe.sh"; then
			printf 'build-images: %s: recipe rootfs/%s.sh failed; last lines of %s:\n' "$key" "$recipe" "$log" >&2
			tail -n 20 "$log" | sed 's/^/  | /' >&2
			exit 1
		fi
		unmount_under "$tmp" || die "$key: recipe left mounts behind"
		[[ -s $tmp/config.json ]] || die "$key: recipe wrote no config.json"
		[[ -z $snapshot ]] || save_snapshot "$tmp" "$stamp" "$snap"
	fi
	printf '%s\n' "$stamp" >"$tmp/.recipe-sha256"

	# Swap the finished tree in: two renames, the old tree removed after.
	local old=
	if [[ -e $dest || -L $dest ]]; then
		old=$namedir/.old-$tag.$$
		mv -T -- "$dest" "$old"
		CLEANUP+=("$old")
	fi
	mv -T -- "$tmp" "$dest"
	[[ -z $old ]] || remove_tree "$old"
	# shellcheck disable=SC2086
	link_aliases "$namedir" "$tag" $aliases
	local ms=$((($(now_us) - start) / 1000))
	printf '%s %s in %d.%03ds (%s)\n' "$key" "$how" $((ms / 1000)) $((ms % 1000)) \
		"$(du -sh "$dest/rootfs" | cut -f1)"
}

main() {
	local args=() a force=0
	for a in "$@"; do
		case $a in
		-h | --help) usage; exit 0 ;;
		-f | --force) force=1 ;;
		-*) die "unknown option $a (see --help)" ;;
		*) args+=("$a") ;;
		esac
	done
	((EUID == 0)) || die "must run as root (debootstrap, chroot, mounts)"
	umask 022

	# Resolve the requested images, then add their bases.
	local want=() e base
	if ((${#args[@]} == 0)); then
		want=("${IMAGES[@]}")
	else
		for a in "${args[@]}"; do
			e=$(lookup "$a") || die "unknown image $a (known: $(printf '%s ' "${IMAGES[@]%%|*}"))"
			want+=("$e")
		done
	fi
	FORCE=' ' # the images --force rebuilds: the requested ones, not their bases
	if ((force)); then
		for e in "${want[@]}"; do FORCE+="${e%%|*} "; done
	fi
	local closure=" " changed=1
	for e in "${want[@]}"; do closure+="${e%%|*} "; done
	while ((changed)); do
		changed=0
		for e in "${IMAGES[@]}"; do
			[[ $closure == *" ${e%%|*} "* ]] || continue
			IFS='|' read -r _ _ base _ _ <<<"$e"
			if [[ -n $base && $closure != *" $base "* ]]; then closure+="$base "; changed=1; fi
		done
	done

	STORE=$(canonical_dir "$STORE")
	CACHE=$(canonical_dir "$CACHE")
	MIRROR=${MINIPOD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
	trap on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	exec 9>"$CACHE/build-images.lock"
	flock 9 || die "cannot lock $CACHE/build-images.lock"

	local pkgs=(busybox-static)
	[[ $closure != *" debian:"* ]] || pkgs+=(debootstrap debian-archive-keyring)
	ensure_packages "${pkgs[@]}"
	GO=
	local recipe
	for e in "${IMAGES[@]}"; do
		IFS='|' read -r _ recipe _ _ _ <<<"$e"
		if [[ $closure == *" ${e%%|*} "* && $GO_RECIPES == *" $recipe "* && -z $GO ]]; then
			GO=$(find_go "${e%%|*} (rootfs/$recipe)")
		fi
	done

	for e in "${IMAGES[@]}"; do
		if [[ $closure == *" ${e%%|*} "* ]]; then build "$e"; fi
	done
}

main "$@"
