#!/usr/bin/env bash
# Recipe for busybox:latest — Debian's statically linked busybox and a link
# for every applet, plus the few files a container expects in /etc.
# Run by scripts/build-images.sh with ROOTFS (an empty directory) and
# IMAGE_DIR (where config.json goes) set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../scripts/image-lib.sh
. "$REPO_ROOT/scripts/image-lib.sh"

bin=$(dpkg -L busybox-static | grep -E '/s?bin/busybox$' | head -n 1) ||
	die "busybox-static is not installed"
[[ -x $bin ]] || die "busybox-static: $bin is missing"

cd "$ROOTFS"
install -d -m 0755 bin sbin usr/bin usr/sbin usr/local/bin etc dev proc sys run \
	home var/log var/spool var/www
install -d -m 0700 root
install -d -m 1777 tmp var/tmp
ln -s ../run var/run
install -m 0755 "$bin" bin/busybox

# One absolute symlink per applet, at the path busybox itself reports
# (perl-base is essential on Debian and Ubuntu: one process, not 270 ln's).
mapfile -t applets < <(bin/busybox --list-full | grep -vx 'bin/busybox')
count=${#applets[@]}
((count > 100)) || die "only $count applets; is $bin really busybox?"
perl -e 'for (@ARGV) { symlink("/bin/busybox", $_) or die "$_: $!\n" }' "${applets[@]}"
echo "linked $count applets"

cat >etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nginx:x:101:101:nginx:/nonexistent:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >etc/group <<'GROUP'
root:x:0:
nginx:x:101:
nogroup:x:65534:
GROUP
cat >etc/shadow <<'SHADOW'
root:*:19000:0:99999:7:::
nginx:!:19000:0:99999:7:::
nobody:!:19000:0:99999:7:::
SHADOW
chmod 0644 etc/passwd etc/group
chmod 0640 etc/shadow
printf '%s\n' '/bin/sh' >etc/shells
printf 'hosts: files dns\n' >etc/nsswitch.conf
write_placeholders "$ROOTFS"

CONFIG_ENV=("PATH=$IMAGE_PATH")
CONFIG_CMD=(sh)
CONFIG_WORKDIR=/
write_config "$IMAGE_DIR/config.json"
