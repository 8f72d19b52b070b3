#!/usr/bin/env bash
# Benchmarks minipod's hot paths; numbers are medians over repeated runs.
# podman is installed here (and only here) to compare image pulls.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v podman >/dev/null && [ "${BENCH_PODMAN:-1}" = 1 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends podman >/dev/null ||
		echo "bench: podman could not be installed; its comparison is skipped" >&2
fi
go run ./scripts/bench -bin bin/minipod "$@"
