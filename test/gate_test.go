package test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// firstLookPod's containers, as their first act, print what the pod's
// sandbox gives them: the pod's first containers are built while its
// network is attached, and must still see all of it from their first
// instruction on.
const firstLookPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: a
    image: busybox
    env:
    - name: MY_IP
      valueFrom:
        fieldRef:
          fieldPath: status.podIP
    command: ["sh", "-c", "echo ip=$MY_IP; {{LOOK}}; ` + idle + `"]
  - name: b
    image: busybox
    command: ["sh", "-c", "{{LOOK}}; ` + idle + `"]
`

// firstLook prints the hostname, eth0's state, the loopback's flags and
// /etc/hosts.
const firstLook = `echo host=$(hostname); echo eth0=$(cat /sys/class/net/eth0/operstate); echo lo=$(cat /sys/class/net/lo/flags); cat /etc/hosts`

// TestFirstCommandsSeeTheNetwork: what the first instruction of a pod's
// first containers sees is the finished sandbox: the hostname, eth0 up,
// the loopback up, /etc/hosts naming the pod's address, and an
// environment that holds the address. The node's network lock is held
// for a while as the pod starts, so that its network is attached long
// after its containers' roots are built.
func TestFirstCommandsSeeTheNetwork(t *testing.T) {
	root(t)
	name := podName("firstlook")
	holdNetworkLock(t, 500*time.Millisecond)
	upPod(t, name, tmpl(firstLookPod, name, "LOOK", firstLook))
	ip := podIPOf(t, name)
	for _, c := range []string{"a", "b"} {
		var logs string
		// Up to /etc/hosts' line before the pod's own: cat writes the
		// file at once, "lo=" alone may be logged before it (a CI run).
		waitFor(t, 10*time.Second, c+"'s first output", func() bool {
			logs = mp(t, "logs", name, "-c", c).stdout
			return strings.Contains(logs, "ip6-allrouters\n")
		})
		for _, want := range []string{"host=" + name + "\n", "eth0=up\n", ip + "\t" + name + "\n"} {
			if !strings.Contains(logs, want) {
				t.Errorf("container %s did not see %q at once:\n%s", c, want, logs)
			}
		}
		if !loopbackWasUp(logs) {
			t.Errorf("container %s saw the loopback down at first:\n%s", c, logs)
		}
	}
	if logs := mp(t, "logs", name, "-c", "a").stdout; !strings.Contains(logs, "ip="+ip+"\n") {
		t.Errorf("status.podIP in the environment is not %s:\n%s", ip, logs)
	}
}

// holdNetworkLock takes the node's network lock (every attach and detach
// takes it) and lets it go after d, on its own.
func holdNetworkLock(t *testing.T, d time.Duration) {
	t.Helper()
	f, err := os.OpenFile("/var/lib/minipod/network/lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	go func() {
		time.Sleep(d)
		f.Close()
	}()
}

// loopbackWasUp reads the "lo=0x.." line: IFF_UP is bit 0.
func loopbackWasUp(logs string) bool {
	for _, l := range strings.Split(logs, "\n") {
		if v, ok := strings.CutPrefix(l, "lo="); ok {
			n, err := strconv.ParseUint(strings.TrimPrefix(v, "0x"), 16, 64)
			return err == nil && n&1 == 1
		}
	}
	return false
}

// markPod's containers leave a mark in a host directory as their first
// act; {{EXTRA}} may add fields to the port of the first.
const markPod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: mark
    hostPath:
      path: {{DIR}}
      type: Directory
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "touch /mark/a; ` + idle + `"]
    volumeMounts:
    - name: mark
      mountPath: /mark
    ports:
    - containerPort: 80{{EXTRA}}
  - name: b
    image: busybox
    command: ["sh", "-c", "touch /mark/b; ` + idle + `"]
    volumeMounts:
    - name: mark
      mountPath: /mark
`

// TestNoCommandWithoutNetwork: when the pod's network cannot be attached
// (here a hostPort another pod holds), `up` fails as before, and no
// command of the pod ever ran, though its containers were being built
// while the network was attached.
func TestNoCommandWithoutNetwork(t *testing.T) {
	root(t)
	holder, name := podName("gate-holder"), podName("gate")
	port := freeHostPort(t, "tcp")
	upPod(t, holder, tmpl(idlePod, holder, "PORTS", idlePorts(port)))
	dir := t.TempDir()
	r := tryUp(t, name, tmpl(markPod, name, "DIR", dir, "EXTRA", hostPortField(port)))
	if r.code == 0 {
		t.Fatalf("up of a pod on a taken hostPort succeeded: %s", r)
	}
	if want := "hostPort " + strconv.Itoa(port) + "/TCP"; !strings.Contains(r.stderr, want) {
		t.Errorf("up's error does not name %s: %s", want, r)
	}
	for _, c := range []string{"a", "b"} {
		if _, err := os.Stat(filepath.Join(dir, c)); err == nil {
			t.Errorf("container %s ran its command in a pod whose network failed", c)
		}
	}
}
