package capacity

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
	"golang.org/x/sys/unix"
)

// ResourcePods is the count of pods a node takes (the kubelet's maxPods).
const ResourcePods = "pods"

// The kubelet's default hard eviction thresholds, which its allocatable
// leaves out: memory.available<100Mi, nodefs.available<10%.
const (
	evictionMemory     = 100 << 20
	evictionNodefsPerc = 10
)

// Allocatable is what the node offers pods, as the kubelet computes its
// status.allocatable with no reservations configured: every CPU, MemTotal
// less pre-allocated hugepages and the memory eviction threshold, the
// filesystem holding dataDir less 10%, each hugepage size's pool, the
// node setting max-pods (110, the kubelet's default) and the extended
// resources the node setting extended-resources advertises.
func Allocatable(dataDir string) (podspec.ResourceAmounts, error) {
	mem, err := MemTotal()
	if err != nil {
		return nil, err
	}
	out := podspec.ResourceAmounts{podspec.ResourceCPU: int64(runtime.NumCPU()) * 1000}
	huge, err := hugePages()
	if err != nil {
		return nil, err
	}
	for name, bytes := range huge {
		out[name] = bytes
		mem -= bytes
	}
	out[podspec.ResourceMemory] = max(0, mem-evictionMemory)
	var fs unix.Statfs_t
	if err := unix.Statfs(dataDir, &fs); err != nil {
		return nil, fmt.Errorf("measure filesystem of %s: %w", dataDir, err)
	}
	disk := int64(fs.Blocks) * fs.Bsize
	out[podspec.ResourceEphemeralStorage] = disk - disk*evictionNodefsPerc/100
	if out[ResourcePods], err = maxPods(); err != nil {
		return nil, err
	}
	extended, err := Extended()
	if err != nil {
		return nil, err
	}
	for name, n := range extended {
		out[name] = n
	}
	return out, nil
}

// MemTotal is the node's memory, from /proc/meminfo.
func MemTotal() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, fmt.Errorf("read node memory: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("read node memory: %w", err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("read node memory: no MemTotal in /proc/meminfo")
}

// hugePages is the pre-allocated pool of each hugepage size, named as the
// resource (hugepages-2Mi, hugepages-1Gi).
func hugePages() (podspec.ResourceAmounts, error) {
	out := podspec.ResourceAmounts{}
	dirs, err := filepath.Glob("/sys/kernel/mm/hugepages/hugepages-*kB")
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(d), "hugepages-"), "kB"), 10, 64)
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d, "nr_hugepages"))
		if err != nil {
			return nil, fmt.Errorf("read hugepage pool: %w", err)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("read hugepage pool %s: %w", d, err)
		}
		out[hugePageName(kb<<10)] = n * kb << 10
	}
	return out, nil
}

// hugePageName is the resource name of a page size, in Kubernetes'
// quantity form (2Mi, 1Gi).
func hugePageName(bytes int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}} {
		if bytes%u.size == 0 {
			return podspec.ResourceHugePagesPrefix + strconv.FormatInt(bytes/u.size, 10) + u.suffix
		}
	}
	return podspec.ResourceHugePagesPrefix + strconv.FormatInt(bytes, 10)
}

// maxPods is the node setting max-pods: how many pods the node takes.
func maxPods() (int64, error) { return nodeconfig.Int("max-pods", 110, 1, 1<<20) }

// CheckSettings reads the node settings Allocatable reads, so that a bad
// one fails before any pod is made.
func CheckSettings() error {
	if _, err := maxPods(); err != nil {
		return err
	}
	_, err := Extended()
	return err
}
