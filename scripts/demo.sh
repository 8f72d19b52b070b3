#!/usr/bin/env bash
# The seed's examples, end to end.
#  mc1: two containers share an emptyDir; one appends the date every second,
#       the other (nginx) serves the file.
#  mc3: nginx, configured by a ConfigMap, proxies port 80 to webapp on the
#       pod's 127.0.0.1:5000; `expose` makes a NodePort Service of the pod and
#       the page is fetched from the node, as from outside the pod.
# Whatever the demo created is deleted when it ends, also when interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=bin/minipod
name="mc1-demo-$$"
manifest=$(mktemp)
# mc3 runs under the seed's own names, as the seed's commands show them.
mc3=test/testdata/seed-mc3.yaml
mc3_made=0

cleanup() {
	rm -f "$manifest"
	"$bin" down --grace-period 1 --ignore-not-found "$name" >/dev/null 2>&1 || true
	if [ "$mc3_made" = 1 ]; then
		"$bin" down --grace-period 1 --ignore-not-found -f "$mc3" >/dev/null 2>&1 || true
		"$bin" delete service mc3 --ignore-not-found >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
sed "s/{{NAME}}/$name/" test/testdata/mc1.yaml >"$manifest"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

# fetch URL prints the page, trying for up to 10 s while nginx starts:
# with curl, else with busybox's wget (Debian's segfaults on -T: timeout).
fetcher=(curl -fsS -m 3 --noproxy '*')
shown=curl
if ! command -v curl >/dev/null; then
	fetcher=(timeout 3 busybox wget -qO-)
	shown="busybox wget -qO-"
fi
fetch() {
	local i
	for i in $(seq 20); do
		"${fetcher[@]}" "$1" && return 0
		[ "$i" = 20 ] || sleep 0.5
	done
	return 1
}

# mc3 uses fixed names: never touch a pod, ConfigMap or Service of the
# user's that has them.
for obj in "pod mc3" "configmap mc3-nginx-conf" "service mc3"; do
	# shellcheck disable=SC2086 # the kind and the name are two words
	if "$bin" get $obj >/dev/null 2>&1; then
		echo "demo: $obj exists already; delete it to see the seed's mc3 here" >&2
		exit 1
	fi
done

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

mc3_made=1
say minipod up -d mc3.yaml
"$bin" up -d "$mc3"
say minipod expose pod mc3 --type=NodePort --port=80
"$bin" expose pod mc3 --type=NodePort --port=80
say "minipod describe service mc3 | grep NodePort"
"$bin" describe service mc3 | grep NodePort
nodeport=$("$bin" describe service mc3 | awk '$1 == "NodePort:" { split($3, p, "/"); print p[1] }')
say "$shown" "http://127.0.0.1:$nodeport/"
fetch "http://127.0.0.1:$nodeport/"
# webapp's httpd is PID 1 of its container and ignores SIGTERM (see mc1).
say minipod down --grace-period 1 -f mc3.yaml
"$bin" down --grace-period 1 -f "$mc3"
say minipod delete service mc3
"$bin" delete service mc3
mc3_made=0
