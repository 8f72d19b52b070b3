#!/usr/bin/env bash
# Benchmarks minipod's hot paths; numbers are medians over repeated runs.
# podman (with catatonit, its pods' pause, and runc and crun, its OCI
# runtimes) is installed here, and only here, for the comparisons: image
# pulls, and the table of up/exec/down/memory beside podman and crun.
# BENCH_BASELINE names a git commit to build as the baseline of the
# isolation cost (what cgroups and seccomp add); the default is the last
# commit before them. Set it empty to skip that comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! { command -v podman && command -v catatonit && command -v runc && command -v crun; } >/dev/null && [ "${BENCH_PODMAN:-1}" = 1 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends podman catatonit runc crun >/dev/null ||
		echo "bench: podman could not be installed; its comparison is skipped" >&2
fi
BASELINE_REF=${BENCH_BASELINE-96bb614}
baseline=()
if [ -n "$BASELINE_REF" ]; then
	tree=$(mktemp -d)
	trap 'git worktree remove --force "$tree" >/dev/null 2>&1 || true; rm -rf "$tree"' EXIT
	if git worktree add --detach "$tree/src" "$BASELINE_REF" >/dev/null 2>&1 &&
		(cd "$tree/src" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tree/minipod" ./cmd/minipod); then
		baseline=(-baseline "$tree/minipod")
	else
		echo "bench: could not build baseline $BASELINE_REF; isolation cost skipped" >&2
	fi
fi
go run ./scripts/bench -bin bin/minipod "${baseline[@]}" "$@"
