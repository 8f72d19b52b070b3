package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// objectsYAML is the objects the volumes pod uses, kept on the node for
// the whole measurement (as a cluster keeps them): %s is a name prefix.
const objectsYAML = `apiVersion: v1
kind: Secret
metadata: {name: %[1]s-sec}
stringData: {username: admin, password: s3cr3t}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: %[1]s-cm}
data: {mode: fast}
`

// volumesPodYAML is podYAML's two containers with a secret, a downwardAPI
// and a projected volume each: %[1]s is the pod name, %[2]s the objects'
// prefix.
const volumesPodYAML = `apiVersion: v1
kind: Pod
metadata:
  name: %[1]s
  labels: {app: bench}
spec:
  terminationGracePeriodSeconds: 5
  volumes:
  - {name: sec, secret: {secretName: %[2]s-sec}}
  - name: info
    downwardAPI:
      items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]
  - name: all
    projected:
      sources:
      - secret: {name: %[2]s-sec, items: [{key: username, path: user}]}
      - configMap: {name: %[2]s-cm}
      - downwardAPI: {items: [{path: name, fieldRef: {fieldPath: metadata.name}}]}
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    volumeMounts: [{name: sec, mountPath: /s}, {name: info, mountPath: /i}, {name: all, mountPath: /p}]
  - name: b
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    volumeMounts: [{name: sec, mountPath: /s}, {name: info, mountPath: /i}, {name: all, mountPath: /p}]
`

// objectsCost times `up -d` of the plain 2-container pod and of the same
// pod with a secret, a downwardAPI and a projected volume, alternately so
// that both see the same machine, and reports the medians and their
// difference (issue 10's target: at most 2 ms).
func (b *bench) objectsCost(runs int) {
	prefix := fmt.Sprintf("bench-obj-%d", os.Getpid())
	objs := filepath.Join(b.dir, prefix+"-objects.yaml")
	must(os.WriteFile(objs, []byte(fmt.Sprintf(objectsYAML, prefix)), 0o644))
	b.time("up", objs)
	defer func() { _ = exec.Command(b.bin, "down", "-f", objs).Run() }()
	var plain, vols []time.Duration
	for i := 0; i < runs; i++ {
		p := fmt.Sprintf("%s-plain-%d", prefix, i)
		plain = append(plain, b.time("up", "-d", b.manifest(p)))
		b.time("down", p)
		v := fmt.Sprintf("%s-vols-%d", prefix, i)
		path := filepath.Join(b.dir, v+".yaml")
		must(os.WriteFile(path, []byte(fmt.Sprintf(volumesPodYAML, v, prefix)), 0o644))
		vols = append(vols, b.time("up", "-d", path))
		b.time("down", v)
	}
	mp, mv := median(plain), median(vols)
	report("up -d plain", plain)
	report("up -d secret+dapi+proj", vols)
	fmt.Printf("%-24s %+.1f ms (target <= 2 ms)\n", "volumes cost", ms(mv-mp))
}
