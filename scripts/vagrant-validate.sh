#!/usr/bin/env bash
# vagrant-validate.sh — check the Vagrantfile without a VM or network:
# `vagrant validate` (Ruby syntax and Vagrant's own configuration checks),
# then shellcheck on its inline provisioning script. Installs Debian's
# vagrant package first if it is missing (needs root for that).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! command -v vagrant >/dev/null; then
	if ((EUID != 0)); then
		echo "vagrant-validate: vagrant is not installed; run as root to apt-get install it" >&2
		exit 1
	fi
	echo "installing vagrant (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq --no-install-recommends vagrant >/dev/null 2>&1; then
		apt-get update -qq >/dev/null
		apt-get install -y -qq --no-install-recommends vagrant >/dev/null
	fi
fi

# vagrant keeps machine state in a .vagrant directory; keep it out of the
# repository and remove it afterwards.
state=$(mktemp -d)
trap 'rm -rf -- "$state"' EXIT
export VAGRANT_DOTFILE_PATH=$state/.vagrant
# No update checks or third-party plugins: this must work offline.
export VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_NO_PLUGINS=1

cd "$repo"
# No provider (VirtualBox, libvirt) is installed here, so skip the checks
# of provider-specific options; everything else is validated.
vagrant validate --ignore-provider

# The inline provisioning script is bash inside a Ruby heredoc.
if command -v shellcheck >/dev/null; then
	sed -n "/^PROVISION = <<~'SHELL'\$/,/^SHELL\$/{/^PROVISION/d;/^SHELL\$/d;s/^  //;p}" Vagrantfile >"$state/provision.sh"
	[[ -s $state/provision.sh ]] || {
		echo "vagrant-validate: no PROVISION script found in the Vagrantfile" >&2
		exit 1
	}
	shellcheck -s bash "$state/provision.sh"
	echo "Vagrantfile provisioning script is shellcheck-clean."
fi
