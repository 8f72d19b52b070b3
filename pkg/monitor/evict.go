package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/minipod/minipod/pkg/container"
	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// storageLimits are the local-storage limits the kubelet's eviction
// manager enforces on a pod: disk emptyDir sizeLimits, the pod's
// ephemeral-storage limit (PodLimits), each container's.
type storageLimits struct {
	emptyDirs  []limitedDir // disk-backed emptyDirs with a sizeLimit
	pod        int64        // 0: none
	podText    string
	containers []limitedCtr
	all        []limitedCtr // every container: the pod's usage counts them all
	volumes    []string     // every disk emptyDir: counted in the pod's usage
}

type limitedDir struct {
	name, dir, text string
	limit           int64
}

type limitedCtr struct {
	name, layer, logs, text string
	limit                   int64
}

// storageLimitsOf collects what there is to enforce; empty means the pod
// needs no watching.
func (mon *monitor) storageLimitsOf() (storageLimits, error) {
	var l storageLimits
	for _, v := range mon.pod.Spec.Volumes {
		if v.EmptyDir == nil || v.EmptyDir.Medium == "Memory" {
			continue // a tmpfs is bounded by its size and counts as memory
		}
		dir := mon.pe.volumes[v.Name].Dir
		l.volumes = append(l.volumes, dir)
		if v.EmptyDir.SizeLimit == "" {
			continue
		}
		n, err := podspec.QuantityBytes(v.EmptyDir.SizeLimit)
		if err != nil {
			return l, fmt.Errorf("volume %s sizeLimit: %w", v.Name, err)
		}
		if n > 0 {
			l.emptyDirs = append(l.emptyDirs, limitedDir{name: v.Name, dir: dir, limit: n, text: podspec.CanonicalQuantity(v.EmptyDir.SizeLimit)})
		}
	}
	if text, ok := mon.pod.EffectiveLimit(podspec.ResourceEphemeralStorage); ok {
		l.pod, l.podText = mon.pod.EffectiveLimits()[podspec.ResourceEphemeralStorage], text
	}
	for _, c := range mon.ctrs {
		// The whole layer: the writable layer and the termination file.
		lc := limitedCtr{name: c.spec.Name, layer: c.layer, logs: filepath.Join(mon.logDir, c.spec.Name)}
		if n, ok := c.spec.Limits()[podspec.ResourceEphemeralStorage]; ok && n > 0 {
			lc.limit, lc.text = n, podspec.CanonicalQuantity(c.spec.Resources.Limits[podspec.ResourceEphemeralStorage])
			l.containers = append(l.containers, lc)
		}
		l.all = append(l.all, lc)
	}
	return l, nil
}

func (l storageLimits) none() bool {
	return len(l.emptyDirs) == 0 && l.pod == 0 && len(l.containers) == 0
}

// over measures the pod's local storage and says, in the kubelet's words,
// which limit it exceeds first (emptyDir, then pod, then container, the
// eviction manager's order), or "".
func (l storageLimits) over() string {
	for _, d := range l.emptyDirs {
		if used, _ := diskUsage(d.dir); used > d.limit {
			return fmt.Sprintf("Usage of EmptyDir volume %q exceeds the limit %q. ", d.name, d.text)
		}
	}
	if l.pod > 0 {
		var total int64
		for _, c := range l.all {
			total += c.usage()
		}
		for _, v := range l.volumes {
			n, _ := diskUsage(v)
			total += n
		}
		if total > l.pod {
			return fmt.Sprintf("Pod ephemeral local storage usage exceeds the total limit of containers %s. ", l.podText)
		}
	}
	for _, c := range l.containers {
		if c.usage() > c.limit {
			return fmt.Sprintf("Container %s exceeded its local ephemeral storage limit %q. ", c.name, c.text)
		}
	}
	return ""
}

// usage is a container's writable layer plus its logs, as the kubelet
// counts a container's ephemeral storage.
func (c limitedCtr) usage() int64 {
	layer, _ := diskUsage(c.layer)
	logs, _ := diskUsage(c.logs)
	return layer + logs
}

// housekeeping is how often local storage is measured: the node setting
// housekeeping-interval, 10s by default as the kubelet's.
func housekeeping() (time.Duration, error) {
	v, err := nodeconfig.String("housekeeping-interval", "10s")
	if err != nil {
		return 0, err
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 100*time.Millisecond || d > time.Hour {
		return 0, fmt.Errorf("node setting housekeeping-interval = %q in %s: must be a duration from 100ms to 1h", v, nodeconfig.File())
	}
	return d, nil
}

// watchStorage starts measuring the pod's local storage, if it has a limit
// to enforce, until the pod stops; an excess is sent to the event loop.
func (mon *monitor) watchStorage() error {
	l, err := mon.storageLimitsOf()
	if err != nil || l.none() {
		return err
	}
	every, err := housekeeping()
	if err != nil {
		return err
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-mon.stopping:
				return
			case <-t.C:
			}
			msg := l.over()
			container.CollectSoon() // the walk's garbage
			if msg != "" {
				select {
				case mon.evictions <- msg:
				case <-mon.stopping:
				}
				return
			}
		}
	}()
	return nil
}

// evict fails the pod as the kubelet's eviction manager does: phase
// Failed, reason Evicted, its containers killed at once (grace period 0).
func (mon *monitor) evict(msg string) {
	fmt.Fprintf(os.Stderr, "monitor: evicting: %s\n", msg)
	mon.failPod(state.ReasonEvicted, msg, 0)
}
