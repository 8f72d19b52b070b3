#!/usr/bin/env bash
# Benchmarks minipod's hot paths; numbers are medians over repeated runs.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./scripts/bench -bin bin/minipod "$@"
