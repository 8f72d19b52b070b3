package test

// Attacks on the objects kept beside pods (ConfigMaps, Secrets,
// PersistentVolumeClaims) and on the volumes made of them: a hostile
// container that writes into a claim's volume, which outlives it and is
// shared with other pods, and a hostile manifest.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// swapClaimPod is a pod whose container waits for the swap tool to appear
// in its claim's volume (the test puts it there), then runs {{SCRIPT}}.
const swapClaimPod = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: {{NAME}}-data}
spec:
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  volumes: [{name: d, persistentVolumeClaim: {claimName: {{NAME}}-data}}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "while [ ! -x /data/swap ]; do sleep 0.1; done; {{SCRIPT}}"]
    volumeMounts: [{name: d, mountPath: /data}]
`

// startSwapper runs a pod using a fresh claim whose container runs script
// once the swap tool is in the volume (at /data/swap), waits for it to
// log "swapping", and returns the claim's name and host directory.
func startSwapper(t *testing.T, name, script string) (claim, dir string) {
	t.Helper()
	claim = name + "-data"
	t.Cleanup(func() { mp(t, "delete", "pvc", claim, "--ignore-not-found") })
	upPod(t, name, tmpl(swapClaimPod, name, "SCRIPT", script))
	dir = claimDir(t, claim)
	copyInto(t, swapper(t), filepath.Join(dir, ".swap.tmp"))
	if err := os.Rename(filepath.Join(dir, ".swap.tmp"), filepath.Join(dir, "swap")); err != nil {
		t.Fatal(err)
	}
	waitLog(t, name, "main", "swapping", 60*time.Second)
	return claim, dir
}

// changedVictims lists the victim files whose owner, group or mode is no
// longer root's 0600.
func changedVictims(t *testing.T, dir string, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, fname(i))
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			out = append(out, p+": "+err.Error())
			continue
		}
		if st.Uid != 0 || st.Gid != 0 || st.Mode&0o7777 != 0o600 {
			out = append(out, fmt.Sprintf("%s: uid %d gid %d mode %04o", p, st.Uid, st.Gid, st.Mode&0o7777))
		}
	}
	return out
}

// TestAttackObjectsFSGroupClaimRace: a hostile container keeps swapping,
// in its claim's volume, a directory of setuid files with a link to a
// host directory. When another pod with an fsGroup binds the same claim,
// the monitor gives the volume to the group (applyFSGroup) by walking it
// with path names: a name it found a directory under, or a file, is a
// link by the time it chowns and chmods it, and the host's files get the
// fsGroup and the container's file modes (0777, even setuid). Nothing
// outside the claim's volume may change.
func TestAttackObjectsFSGroupClaimRace(t *testing.T) {
	root(t)
	const n = 2000
	victims := victimFiles(t, n)
	name := podName("atk-fsgrp")
	claim, _ := startSwapper(t, name,
		"/data/swap -mkfiles /data/d "+fmt.Sprint(n)+" 4777 && ln -s "+victims+" /data/l && exec /data/swap /data d l 300")

	other := podName("atk-fsgrp-b")
	text := tmpl(`apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {fsGroup: 4242}
  volumes: [{name: d, persistentVolumeClaim: {claimName: {{CLAIM}}}}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    volumeMounts: [{name: d, mountPath: /data}]
`, other, "CLAIM", claim)
	// Whether the walk succeeds or trips over a swap does not matter:
	// what it did to the host's files before does.
	r := tryUp(t, other, text)
	t.Logf("up of the fsGroup pod: exit %d %s", r.code, strings.TrimSpace(r.stderr))
	if bad := changedVictims(t, victims, n); len(bad) > 0 {
		kinds := map[string]int{}
		for _, b := range bad {
			kinds[b[strings.Index(b, ": ")+2:]]++
		}
		t.Errorf("giving claim %s to fsGroup 4242 changed %d host files outside the volume: %v",
			claim, len(bad), kinds)
	}
}

// TestAttackObjectsCreateFromClaimRace: an admin makes a ConfigMap from a
// directory a container writes (a claim's volume). --from-file takes the
// regular files of a directory and skips its links, but decides on the
// directory listing and then opens the name, which follows a link: a
// container swapping a file with a link to a host file gets the host
// file's contents into the ConfigMap, which it then mounts.
func TestAttackObjectsCreateFromClaimRace(t *testing.T) {
	root(t)
	victims := victimFiles(t, 1)
	name := podName("atk-cmrace")
	_, dir := startSwapper(t, name,
		"mkdir /data/ex && echo container > /data/ex/k && ln -s "+filepath.Join(victims, fname(0))+" /data/ex/j && exec /data/swap /data/ex k j 300")
	cm := name + "-cm"
	t.Cleanup(func() { mp(t, "delete", "configmap", cm, "--ignore-not-found") })
	for i := 0; i < 40; i++ {
		r := mp(t, "create", "configmap", cm, "--from-file="+filepath.Join(dir, "ex"))
		if r.code != 0 {
			continue // both names were links when listed: nothing read
		}
		y := mustMP(t, "get", "configmap", cm, "-o", "yaml")
		mustMP(t, "delete", "configmap", cm)
		if strings.Contains(y, "host secret") {
			t.Fatalf("attempt %d: create configmap --from-file read a host file through a link the container swapped in:\n%s", i, y)
		}
	}
}

// TestAttackObjectsDeleteClaimLinks: links a container plants in its
// claim's volume (to a host directory, to a host file, deep down) are
// removed with the claim, never followed: the host's files stay.
func TestAttackObjectsDeleteClaimLinks(t *testing.T) {
	root(t)
	victims := victimFiles(t, 3)
	name := podName("atk-delpvc")
	claim := name + "-data"
	t.Cleanup(func() { mp(t, "delete", "pvc", claim, "--ignore-not-found") })
	script := "ln -s " + victims + " /data/dirlink && mkdir -p /data/a/b && ln -s " + filepath.Join(victims, fname(0)) +
		" /data/a/b/filelink && ln -s / /data/rootlink && echo swapping; " + idle
	upPod(t, name, tmpl(swapClaimPod, name, "SCRIPT", script))
	dir := claimDir(t, claim)
	copyInto(t, "/bin/true", filepath.Join(dir, "swap")) // only to start the script
	waitLog(t, name, "main", "swapping", 30*time.Second)
	mustMP(t, "down", name)
	mustMP(t, "delete", "pvc", claim)
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		t.Errorf("the claim's volume %s is still there: %v", dir, err)
	}
	for i := 0; i < 3; i++ {
		if _, err := os.Stat(filepath.Join(victims, fname(i))); err != nil {
			t.Errorf("deleting the claim removed a host file through a link: %v", err)
		}
	}
	if _, err := os.Stat("/etc/passwd"); err != nil {
		t.Fatalf("deleting the claim removed the host's files: %v", err)
	}
}

// TestAttackObjectsClaimSetuidUnreachable: a claim's volume is world
// writable and outlives the pod; a container (root) leaves a setuid-root
// shell in it. No host user may reach it: the volumes' directory is
// root's alone.
func TestAttackObjectsClaimSetuidUnreachable(t *testing.T) {
	root(t)
	name := podName("atk-suid")
	claim := name + "-data"
	t.Cleanup(func() { mp(t, "delete", "pvc", claim, "--ignore-not-found") })
	script := "cp /bin/busybox /data/rootsh && chmod 4755 /data/rootsh && echo swapping; " + idle
	upPod(t, name, tmpl(swapClaimPod, name, "SCRIPT", script))
	dir := claimDir(t, claim)
	copyInto(t, "/bin/true", filepath.Join(dir, "swap"))
	waitLog(t, name, "main", "swapping", 30*time.Second)
	mustMP(t, "down", name)
	cmd := exec.Command(filepath.Join(dir, "rootsh"), "id", "-u")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("a host user ran the container's setuid file %s/rootsh: %s", dir, out)
	}
	for _, p := range []string{"/var/lib/minipod/volumes", dir} {
		ls := exec.Command("ls", p)
		ls.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		if out, err := ls.CombinedOutput(); err == nil {
			t.Errorf("a host user listed %s:\n%s", p, out)
		}
	}
}

// TestAttackObjectsStoreNames: names given on the command line become
// paths in the store only once checked: get, delete and create of
// "../x"-like names are refused and touch nothing outside the store.
func TestAttackObjectsStoreNames(t *testing.T) {
	root(t)
	// Decoys the traversals would reach: files that look like stored
	// objects above the namespaces' directories.
	x := podName("atk-names")
	decoys := []string{"/var/lib/minipod/objects/" + x + ".json", "/run/minipod/.objects/" + x + ".json", "/var/lib/minipod/" + x + ".json"}
	for _, d := range decoys {
		if _, err := os.Stat(filepath.Dir(d)); err != nil {
			continue // no store there yet: nothing to reach
		}
		if err := os.WriteFile(d, []byte(`{"metadata":{"name":"`+x+`","uid":"00000000-0000-0000-0000-000000000000"}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Remove(d) })
	}
	up2, up3 := "../../"+x, "../../../"+x
	for _, args := range [][]string{
		{"get", "secret", up2}, {"get", "configmap", up2, "-o", "yaml"}, {"get", "pvc/" + up2},
		{"delete", "secret", up2}, {"delete", "configmap", up2}, {"delete", "pvc", up2},
		{"delete", "pvc", up3}, {"delete", "pvc", "."}, {"delete", "pvc", ".."},
		{"create", "configmap", "../" + x, "--from-literal=a=b"}, {"create", "secret", "generic", up2, "--from-literal=a=b"},
		{"create", "configmap", strings.ToUpper(x), "--from-literal=a=b"}, {"create", "configmap", strings.Repeat("a", 254), "--from-literal=a=b"},
	} {
		if r := mp(t, args...); r.code == 0 {
			t.Errorf("%s", r)
		}
	}
	for _, d := range decoys {
		if _, err := os.Stat(filepath.Dir(d)); err != nil {
			continue
		}
		if _, err := os.Stat(d); err != nil {
			t.Errorf("a traversing name reached %s: %v", d, err)
		}
	}
	for _, p := range []string{"/var/lib/minipod/objects/configmaps/" + x + ".json", "/run/minipod/.objects/secrets/" + x + ".json"} {
		if _, err := os.Lstat(p); err == nil {
			os.Remove(p)
			t.Errorf("a traversing name made %s", p)
		}
	}
}

// TestAttackObjectsSecretValueNotEchoed: a Secret whose data is not
// base64 (a value pasted in plain text under data: instead of
// stringData:, the commonest mistake with Secrets) is refused without
// printing the value: the error goes to terminals, CI logs and scrollback.
// The API server answers "illegal base64 data at input byte N".
func TestAttackObjectsSecretValueNotEchoed(t *testing.T) {
	root(t)
	name := podName("atk-echo")
	value := "hunter2 " + name + " !"
	text := tmpl("apiVersion: v1\nkind: Secret\nmetadata: {name: {{NAME}}}\ndata: {password: \"{{V}}\"}\n", name, "V", value)
	t.Cleanup(func() { mp(t, "delete", "secret", name, "--ignore-not-found") })
	r := mp(t, "up", "-f", writeManifest(t, name, text))
	if r.code == 0 {
		t.Fatalf("a Secret with data that is not base64 was taken: %s", r)
	}
	if strings.Contains(r.stdout+r.stderr, name+" !") {
		t.Errorf("the refusal prints the Secret's value:\n%s", r.stderr)
	}
}

// TestAttackObjectsSecretVolumeAmplified: a Secret may hold 1 MB, and a
// secret volume may list the same key under any number of paths. The
// monitor writes every copy into the pod's memory tmpfs, which has no
// size and is charged to the monitor, not the pod: a manifest of a few
// kilobytes pins hundreds of megabytes of host memory that no OOM kill
// frees, whatever the pod's memory limit. The volume must not hold more
// than the pod may use.
func TestAttackObjectsSecretVolumeAmplified(t *testing.T) {
	root(t)
	name := podName("atk-amp")
	const copies = 200
	var items strings.Builder
	for i := 0; i < copies; i++ {
		fmt.Fprintf(&items, "{key: big, path: p%03d}, ", i)
	}
	text := tmpl(`apiVersion: v1
kind: Secret
metadata: {name: {{NAME}}-big}
stringData: {big: "{{BIG}}"}
---
apiVersion: v1
kind: Pod
metadata: {name: {{NAME}}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: s, secret: {secretName: {{NAME}}-big, items: [{{ITEMS}}]}}]
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "`+idle+`"]
    resources: {limits: {memory: 32Mi}}
    volumeMounts: [{name: s, mountPath: /s}]
`, name, "BIG", strings.Repeat("x", 1000*1000), "ITEMS", strings.TrimSuffix(items.String(), ", "))
	t.Logf("manifest: %d bytes, of which the pod is %d", len(text), len(text)-1000*1000)
	r := tryUp(t, name, text)
	if r.code != 0 || status(t, name) != "Running" {
		return // refused, or the volume could not be made: safe
	}
	out := strings.Fields(execOut(t, name, "main", "du", "-sk", "/s"))
	if len(out) == 0 {
		t.Fatalf("du printed nothing")
	}
	var kb int
	fmt.Sscan(out[0], &kb)
	if kb > 32*1024 {
		t.Errorf("the pod's secret volume holds %d MiB of host memory (a 1 MB Secret listed %d times), over the pod's memory limit of 32Mi", kb/1024, copies)
	}
}

// TestAttackObjectsKilledMonitorSecrets: a pod's secret volume lives on a
// tmpfs in its monitor's mount namespace. When the monitor is SIGKILLed
// and `down` cleans up after it, no process on the node may still hold a
// mount of the pod's volumes, and the Secret's value is on no disk.
func TestAttackObjectsKilledMonitorSecrets(t *testing.T) {
	root(t)
	name := podName("atk-killmon")
	value := podName("killed-s3cr3t")
	upPod(t, name, tmpl(secretsPod, name, "VALUE", value))
	sigkillMonitor(t, name)
	mustMP(t, "down", name)
	time.Sleep(500 * time.Millisecond)
	procs, _ := filepath.Glob("/proc/[0-9]*/mountinfo")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "/pods/"+name+"/") {
				t.Errorf("%s still holds a mount of the pod's volumes: %s", p, l)
				break
			}
		}
	}
	for _, tree := range []string{"/var/lib/minipod/pods", "/var/lib/minipod/objects", "/var/lib/minipod/volumes", "/var/log/pods"} {
		if hit := grepTree(t, tree, value); hit != "" {
			t.Errorf("the secret's value is on the disk after down, in %s", hit)
		}
	}
}

// TestAttackObjectsConcurrentApply: two `up`s of the same new claim at
// once must not both create it (as two kubectl applies cannot: the API
// server serialises them). When both do, each writes the claim with its
// own UID, the last wins, and a pod that bound the volume of the first
// UID keeps a directory that `delete pvc` never removes (it removes the
// volume of the UID it reads).
func TestAttackObjectsConcurrentApply(t *testing.T) {
	root(t)
	name := podName("atk-apply")
	path := writeManifest(t, name, tmpl(`apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: {{NAME}}-data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`, name))
	for round := 0; round < 5; round++ {
		const n = 8
		outs := make(chan string, n)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			go func() {
				<-start
				out, _ := exec.Command(exe, "up", "-f", path).CombinedOutput()
				outs <- string(out)
			}()
		}
		close(start)
		created := 0
		for i := 0; i < n; i++ {
			if strings.Contains(<-outs, "created") {
				created++
			}
		}
		mustMP(t, "delete", "pvc", name+"-data")
		if created != 1 {
			t.Fatalf("round %d: %d of %d concurrent applies created claim %s-data, want 1", round, created, n, name)
		}
	}
}
