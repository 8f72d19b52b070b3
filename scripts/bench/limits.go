package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// limitedPodYAML is podYAML with requests and limits on both containers:
// CPU shares and quota, memory limit, in each container's cgroup and the
// pod's.
const limitedPodYAML = `apiVersion: v1
kind: Pod
metadata:
  name: %s
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    resources:
      requests: {cpu: 100m, memory: 32Mi}
      limits: {cpu: 200m, memory: 64Mi}
  - name: b
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
    resources:
      requests: {cpu: 100m, memory: 32Mi}
      limits: {cpu: 200m, memory: 64Mi}
`

// limitsCost times up -d of the two-container pod with limits on both
// and without, alternating pod by pod so drift hits both alike.
func (b *bench) limitsCost(runs int) {
	var plain, limited []time.Duration
	for i := 0; i <= runs; i++ {
		for _, v := range []struct {
			yaml string
			out  *[]time.Duration
		}{{podYAML, &plain}, {limitedPodYAML, &limited}} {
			name := fmt.Sprintf("bench-lim-%d-%d-%d", os.Getpid(), i, len(*v.out))
			p := filepath.Join(b.dir, name+".yaml")
			must(os.WriteFile(p, []byte(fmt.Sprintf(v.yaml, name)), 0o644))
			d := b.time("up", "-d", p)
			b.time("down", name)
			if i > 0 { // the first pair warms up
				*v.out = append(*v.out, d)
			}
		}
	}
	report("up -d, no limits", plain)
	report("up -d, limits on both", limited)
	fmt.Printf("%-24s %+.1f ms (medians)\n", "limits cost", ms(median(limited))-ms(median(plain)))
}

// topLatency times `top` over n running pods with a 100 ms CPU window,
// and reports what it takes besides the window.
func (b *bench) topLatency(n, runs int) {
	var names []string
	defer func() {
		for _, name := range names {
			b.time("down", name)
		}
	}()
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("bench-top-%d-%d", os.Getpid(), i)
		b.time("up", "-d", b.manifest(name))
		names = append(names, name)
	}
	const window = 100 * time.Millisecond
	var all, one []time.Duration
	for i := 0; i < runs; i++ {
		all = append(all, b.time("top", "--containers", "--window", window.String())-window)
		one = append(one, b.time("top", names[0], "--window", window.String())-window)
	}
	report(fmt.Sprintf("top, %d pods (-window)", n), all)
	report("top POD (-window)", one)
}
