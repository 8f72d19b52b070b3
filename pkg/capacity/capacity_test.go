package capacity

import (
	"slices"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
)

func TestInsufficient(t *testing.T) {
	alloc := podspec.ResourceAmounts{"cpu": 2000, "memory": 1 << 30, ResourcePods: 3, "example.com/dongle": 4}
	used := podspec.ResourceAmounts{"cpu": 1500, "memory": 1 << 29, ResourcePods: 2, "example.com/dongle": 3}
	for _, tc := range []struct {
		req  podspec.ResourceAmounts
		want []string
	}{
		{podspec.ResourceAmounts{}, nil},
		{podspec.ResourceAmounts{"cpu": 500, "memory": 1 << 29, "example.com/dongle": 1}, nil},
		{podspec.ResourceAmounts{"cpu": 501}, []string{"Insufficient cpu"}},
		{podspec.ResourceAmounts{"memory": 1<<29 + 1, "example.com/dongle": 2}, []string{"Insufficient example.com/dongle", "Insufficient memory"}},
		// The node does not advertise it at all.
		{podspec.ResourceAmounts{"vendor.io/gpu": 1}, []string{"Insufficient vendor.io/gpu"}},
		{podspec.ResourceAmounts{"cpu": 0, "vendor.io/gpu": 0}, nil},
	} {
		if got := Insufficient(alloc, used, tc.req); !slices.Equal(got, tc.want) {
			t.Errorf("Insufficient(%v) = %q, want %q", tc.req, got, tc.want)
		}
	}
	used[ResourcePods] = 3
	if got := Insufficient(alloc, used, nil); !slices.Equal(got, []string{"Too many pods"}) {
		t.Errorf("a full node: %q", got)
	}
}

func TestMessage(t *testing.T) {
	got := Message([]string{"Too many pods", "Insufficient memory", "Insufficient cpu"})
	want := "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
	if got != want {
		t.Errorf("Message = %q\nwant      %q", got, want)
	}
}

// The node's own numbers: every CPU, memory less the eviction threshold.
func TestAllocatable(t *testing.T) {
	t.Setenv("MINIPOD_EXTENDED_RESOURCES", "example.com/dongle=4")
	a, err := Allocatable(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mem, err := MemTotal()
	if err != nil {
		t.Fatal(err)
	}
	if a["cpu"] < 1000 || a["cpu"]%1000 != 0 || a["memory"] <= 0 || a["memory"] > mem-evictionMemory || a["ephemeral-storage"] <= 0 || a[ResourcePods] != 110 || a["example.com/dongle"] != 4 {
		t.Errorf("Allocatable = %v (MemTotal %d)", a, mem)
	}
	for _, bad := range []string{"example.com/dongle", "dongle=1", "example.com/dongle=-1", "kubernetes.io/x=1"} {
		t.Setenv("MINIPOD_EXTENDED_RESOURCES", bad)
		if _, err := Allocatable(t.TempDir()); err == nil {
			t.Errorf("extended-resources %q accepted", bad)
		}
	}
}

func TestHugePageName(t *testing.T) {
	for bytes, want := range map[int64]string{2 << 20: "hugepages-2Mi", 1 << 30: "hugepages-1Gi", 64 << 10: "hugepages-64Ki"} {
		if got := hugePageName(bytes); got != want {
			t.Errorf("hugePageName(%d) = %q, want %q", bytes, got, want)
		}
	}
}
