#!/usr/bin/env bash
# The seed's first example, end to end: two containers share an emptyDir;
# one appends the date every second, the other (nginx) serves the file.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin/minipod
name="mc1-demo-$$"
manifest=$(mktemp)
trap 'rm -f "$manifest"; "$bin" down --grace-period 1 "$name" >/dev/null 2>&1 || true' EXIT
sed "s/{{NAME}}/$name/" test/testdata/mc1.yaml >"$manifest"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

say minipod up -d mc1.yaml
"$bin" up -d "$manifest"
sleep 3
say minipod get
"$bin" get "$name"
say minipod exec "$name" -c 1st -- /bin/cat /usr/share/nginx/html/index.html
"$bin" exec "$name" -c 1st -- /bin/cat /usr/share/nginx/html/index.html
say minipod exec "$name" -c 2nd -- /bin/cat /html/index.html
"$bin" exec "$name" -c 2nd -- /bin/cat /html/index.html
say minipod describe "$name"
"$bin" describe "$name"
# The debian container's shell is PID 1 and ignores SIGTERM, so Kubernetes
# would wait the full 30 s grace period; the demo shortens it like
# `kubectl delete --grace-period=1`.
say minipod down --grace-period 1 "$name"
"$bin" down --grace-period 1 "$name"
trap 'rm -f "$manifest"' EXIT
