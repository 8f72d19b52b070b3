#!/usr/bin/env bash
# Helpers shared by scripts/build-images.sh and the image recipes in rootfs/.
# This file is sourced, never executed.

# The PATH every image's config carries (same as the official images).
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export IMAGE_PATH

# What a recipe sets before calling write_config.
CONFIG_ENV=() CONFIG_ENTRYPOINT=() CONFIG_CMD=() CONFIG_WORKDIR='' CONFIG_USER=''

die() {
	printf 'build-images: %s\n' "$*" >&2
	exit 1
}

# now_us prints the wall clock in microseconds.
now_us() {
	local t=${EPOCHREALTIME:?bash 5 or newer is required}
	t=${t/[.,]/}
	printf '%s' "$((10#$t))"
}

# json_string S prints S as a JSON string literal.
json_string() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	s=${s//$'\n'/\\n}
	s=${s//$'\r'/\\r}
	printf '"%s"' "$s"
}

# json_array S... prints the arguments as a JSON array of strings.
json_array() {
	local out='[' sep='' s
	for s in "$@"; do
		out+="$sep$(json_string "$s")"
		sep=,
	done
	printf '%s]' "$out"
}

# write_config FILE writes an OCI image-spec "config" object from the
# caller's CONFIG_ENV, CONFIG_ENTRYPOINT, CONFIG_CMD (arrays) and
# CONFIG_WORKDIR, CONFIG_USER (strings). Empty members are left out.
write_config() {
	local file=$1 fields=()
	if ((${#CONFIG_ENV[@]})); then fields+=("\"Env\":$(json_array "${CONFIG_ENV[@]}")"); fi
	if ((${#CONFIG_ENTRYPOINT[@]})); then fields+=("\"Entrypoint\":$(json_array "${CONFIG_ENTRYPOINT[@]}")"); fi
	if ((${#CONFIG_CMD[@]})); then fields+=("\"Cmd\":$(json_array "${CONFIG_CMD[@]}")"); fi
	if [[ -n ${CONFIG_WORKDIR:-} ]]; then fields+=("\"WorkingDir\":$(json_string "$CONFIG_WORKDIR")"); fi
	if [[ -n ${CONFIG_USER:-} ]]; then fields+=("\"User\":$(json_string "$CONFIG_USER")"); fi
	local IFS=,
	printf '{%s}\n' "${fields[*]}" >"$file"
}

# mounts_under DIR prints the mount points at or below DIR, deepest first.
# DIR must be a canonical path without blanks or backslashes (mountinfo
# escapes those), which build-images.sh checks for its directories.
mounts_under() {
	local dir=$1
	awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# unmount_under DIR unmounts everything at or below DIR; it fails if
# anything is still mounted there afterwards.
unmount_under() {
	local dir=$1 m
	while read -r m; do
		[[ -n $m ]] || continue
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done < <(mounts_under "$dir")
	if [[ -n $(mounts_under "$dir") ]]; then
		printf 'build-images: still mounted below %s:\n%s\n' "$dir" "$(mounts_under "$dir")" >&2
		return 1
	fi
}

# remove_tree DIR unmounts whatever is mounted below DIR, then deletes it.
# It refuses to delete while something is still mounted there, so a stuck
# bind mount can never make it delete files outside DIR.
remove_tree() {
	local dir=$1
	[[ -e $dir || -L $dir ]] || return 0
	unmount_under "$dir" || return 1
	rm -rf --one-file-system -- "$dir"
}

# chroot_run ROOT CMD... runs CMD inside ROOT with a small, clean environment.
chroot_run() {
	local root=$1
	shift
	env -i PATH="$IMAGE_PATH" HOME=/root LANG=C.UTF-8 TERM=dumb \
		DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
		chroot "$root" "$@"
}

# write_placeholders ROOT creates the files a runtime bind-mounts over
# (/etc/hosts, /etc/hostname, /etc/resolv.conf) with neutral contents.
write_placeholders() {
	local root=$1
	rm -f "$root/etc/hosts" "$root/etc/hostname" "$root/etc/resolv.conf"
	printf '%s\n' '127.0.0.1	localhost' '::1	localhost ip6-localhost ip6-loopback' >"$root/etc/hosts"
	: >"$root/etc/hostname"
	: >"$root/etc/resolv.conf"
	chmod 0644 "$root/etc/hosts" "$root/etc/hostname" "$root/etc/resolv.conf"
}
