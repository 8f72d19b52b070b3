package test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

const twoIdle = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  shareProcessNamespace: {{SHARE}}
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "` + idle + `", "ctr-a-marker"]
  - name: b
    image: busybox
    command: ["sh", "-c", "` + idle + `", "ctr-b-marker"]
`

var nsKinds = []string{"net", "ipc", "uts", "pid", "mnt"}

// TestNamespaces: containers share the pod's net, ipc and uts namespaces
// (pause made them, the monitor holds them), each has its own mnt and pid
// namespace, and none is the host's.
func TestNamespaces(t *testing.T) {
	root(t)
	name := podName("ns")
	upPod(t, name, tmpl(twoIdle, name, "SHARE", "false"))

	st, err := readState(name)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]map[string]string{"(host)": {}, "(pod/pause)": {}, "a": {}, "b": {}}
	for _, k := range nsKinds {
		seen["(host)"][k] = hostNS(t, k)
		// pid and mnt were pause's own, recorded before it left.
		seen["(pod/pause)"][k] = strconv.FormatUint(st.Namespaces[k], 10)
		if p := st.NSPaths[k]; p != "" {
			seen["(pod/pause)"][k] = linkInode(t, p)
		}
		seen["a"][k] = nsInode(t, name, "a", k)
		seen["b"][k] = nsInode(t, name, "b", k)
	}
	for _, k := range []string{"net", "ipc", "uts"} {
		for _, c := range []string{"a", "b"} {
			if seen[c][k] != seen["(pod/pause)"][k] {
				t.Errorf("%s: container %s %s, pause %s: want the same", k, c, seen[c][k], seen["(pod/pause)"][k])
			}
		}
	}
	for _, k := range []string{"mnt", "pid"} {
		if seen["a"][k] == seen["b"][k] {
			t.Errorf("%s: containers a and b share %s, want their own", k, seen["a"][k])
		}
	}
	for _, k := range nsKinds {
		for _, c := range []string{"a", "b"} {
			if seen[c][k] == seen["(host)"][k] {
				t.Errorf("%s: container %s is in the host's namespace %s", k, c, seen[c][k])
			}
		}
	}

	// describe shows the same table.
	table := describeNamespaces(t, name)
	for proc, want := range seen {
		got, ok := table[proc]
		if !ok {
			t.Errorf("describe has no Namespaces row %q:\n%v", proc, table)
			continue
		}
		for _, k := range nsKinds {
			if got[k] != want[k] {
				t.Errorf("describe: %s %s = %s, want %s", proc, k, got[k], want[k])
			}
		}
	}

	for _, c := range []string{"a", "b"} {
		if h := strings.TrimSpace(execOut(t, name, c, "hostname")); h != name {
			t.Errorf("hostname in %s: %q, want the pod name %q", c, h, name)
		}
	}
}

// TestShareProcessNamespace: with shareProcessNamespace, every container
// sees the others' processes, and pause is PID 1.
func TestShareProcessNamespace(t *testing.T) {
	root(t)
	name := podName("sharepid")
	upPod(t, name, tmpl(twoIdle, name, "SHARE", "true"))

	var ps string
	waitFor(t, 30*time.Second, "b's process in a's ps", func() bool {
		ps = execOut(t, name, "a", "ps", "-o", "pid,args")
		return strings.Contains(ps, "ctr-b-marker")
	})
	pid1 := ""
	for _, l := range lines(ps) {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "1" {
			pid1 = l
		}
	}
	if !strings.Contains(pid1, "pause") {
		t.Errorf("PID 1 in the shared PID namespace is %q, want the pause process\n%s", pid1, ps)
	}
	if !strings.Contains(ps, "ctr-a-marker") {
		t.Errorf("a does not see itself in ps:\n%s", ps)
	}
	if a, b := nsInode(t, name, "a", "pid"), nsInode(t, name, "b", "pid"); a != b {
		t.Errorf("pid namespaces differ: a %s, b %s", a, b)
	}
}

// linkInode reads the inode out of a /proc/PID/ns/KIND link.
func linkInode(t *testing.T, path string) string {
	t.Helper()
	l, err := os.Readlink(path)
	if err != nil {
		t.Fatal(err)
	}
	i, j := strings.IndexByte(l, '['), strings.IndexByte(l, ']')
	if i < 0 || j < i {
		t.Fatalf("%s -> %q", path, l)
	}
	return l[i+1 : j]
}

// describeNamespaces parses describe's "Namespaces:" table into
// row → kind → inode.
func describeNamespaces(t *testing.T, name string) map[string]map[string]string {
	t.Helper()
	out := mustMP(t, "describe", name)
	ls := strings.Split(out, "\n")
	start := -1
	for i, l := range ls {
		if strings.TrimSpace(l) == "Namespaces:" {
			start = i
		}
	}
	if start < 0 || start+1 >= len(ls) {
		t.Fatalf("describe has no Namespaces table:\n%s", out)
	}
	head := strings.Fields(ls[start+1])
	table := map[string]map[string]string{}
	for _, l := range ls[start+2:] {
		if !strings.HasPrefix(l, "  ") || strings.TrimSpace(l) == "" {
			break
		}
		f := strings.Fields(l)
		if len(f) != len(head) {
			t.Fatalf("describe Namespaces row %q does not match header %q", l, head)
		}
		row := map[string]string{}
		for i, h := range head[1:] {
			row[strings.ToLower(h)] = f[i+1]
		}
		table[f[0]] = row
	}
	return table
}
