package cgroups

import (
	"testing"

	lib "github.com/opencontainers/cgroups"
)

// A CPU request is a weight, not a limit: without a cpu controller it is
// dropped; a CPU or memory limit without its controller is an error.
func TestFitDropsWeightsButNotLimits(t *testing.T) {
	r := &lib.Resources{CpuShares: 2, HugetlbLimit: []*lib.HugepageLimit{{Pagesize: "2MB", Limit: 1}}}
	if err := fit(r, map[string]bool{"memory": true}); err != nil {
		t.Fatalf("fit shares without cpu: %v", err)
	}
	if r.CpuShares != 0 || r.HugetlbLimit != nil {
		t.Fatalf("shares/hugetlb kept without their controllers: %+v", r)
	}
	for _, r := range []*lib.Resources{{CpuQuota: 10000, CpuPeriod: 100000}, {Memory: 1 << 20}} {
		if err := fit(r, map[string]bool{}); err == nil {
			t.Fatalf("fit %+v without controllers succeeded", r)
		}
	}
}
