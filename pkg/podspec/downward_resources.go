package podspec

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// The downward API's resources (resourceFieldRef): a container's limit or
// request of cpu, memory, ephemeral-storage or a hugepages size, as the
// kubelet exposes it (ExtractContainerResourceValue): divided by the
// divisor and rounded up; a limit the container does not set is the
// node's allocatable amount.

// resourceFieldDivisors are the divisors the API server allows per
// resource (validateContainerResourceDivisor).
var (
	cpuDivisors    = []string{"1m", "1"}
	memoryDivisors = []string{"1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"}
)

// resourceFieldNames are the resources env may name.
var resourceFieldNames = []string{"limits.cpu", "limits.memory", "limits.ephemeral-storage",
	"requests.cpu", "requests.memory", "requests.ephemeral-storage"}

func checkResourceFieldRef(c *podContext, ref *ResourceFieldSelector, path string) []error {
	var errs errList
	if ref.ContainerName != "" {
		found := false
		for _, ctr := range c.pod.Spec.AllContainers() {
			found = found || ctr.Name == ref.ContainerName
		}
		if !found {
			errs.add(invalid(path+".containerName", ref.ContainerName, "must be one of the containers of the pod"))
		}
	}
	res, divisors := ref.Resource, memoryDivisors
	switch {
	case res == "":
		errs.add(required(path+".resource", ""))
		return errs
	case strings.HasSuffix(res, ".cpu"):
		divisors = cpuDivisors
	case !isHugePagesField(res) && !contains(resourceFieldNames, res):
		errs.add(unsupported(path+".resource", res, resourceFieldNames...))
		return errs
	}
	if ref.Divisor != "" && !divisorAllowed(ref.Divisor, divisors) {
		errs.add(unsupported(path+".divisor", ref.Divisor, divisors...))
	}
	return errs
}

func isHugePagesField(res string) bool {
	_, name, ok := strings.Cut(res, ".")
	return ok && (strings.HasPrefix(res, "limits.") || strings.HasPrefix(res, "requests.")) && isHugePages(name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// divisorAllowed compares by value, as the API server does (1000m is 1).
func divisorAllowed(d string, allowed []string) bool {
	v, err := parseQuantity(d)
	if err != nil {
		return false
	}
	for _, a := range allowed {
		if w, _ := parseQuantity(a); w != nil && v.Cmp(w) == 0 {
			return true
		}
	}
	return false
}

// ResourceFieldValue is the value of a resourceFieldRef for container c
// (the env's own container unless it names another), with the node's
// allocatable amounts standing in for limits c does not set.
func ResourceFieldValue(pod *Pod, c *Container, ref *ResourceFieldSelector, allocatable ResourceAmounts) (string, error) {
	if ref.ContainerName != "" {
		c = nil
		for _, ctr := range pod.Spec.AllContainers() {
			if ctr.Name == ref.ContainerName {
				c = ctr
			}
		}
		if c == nil {
			return "", fmt.Errorf("container %q not found in the pod", ref.ContainerName)
		}
	}
	kind, name, _ := strings.Cut(ref.Resource, ".")
	list := c.requestList()
	if kind == "limits" {
		list = c.limitList()
	}
	v := new(big.Rat)
	if q, ok := list[name]; ok {
		v.Set(q.v)
	} else if kind == "limits" {
		v = allocatableRat(name, allocatable)
	}
	divisor := big.NewRat(1, 1)
	if ref.Divisor != "" {
		d, err := parseQuantity(ref.Divisor)
		if err != nil || d.Sign() == 0 {
			return "", fmt.Errorf("divisor %q: not a positive quantity", ref.Divisor)
		}
		divisor = d
	}
	return strconv.FormatInt(ceilRat(new(big.Rat).Quo(v, divisor)), 10), nil
}

// allocatableRat is an allocatable amount as a quantity: cpu is kept in
// millicores there.
func allocatableRat(name string, a ResourceAmounts) *big.Rat {
	n := a[name]
	if name == ResourceCPU {
		return big.NewRat(n, 1000)
	}
	return big.NewRat(n, 1)
}

func ceilRat(r *big.Rat) int64 {
	n := new(big.Int).Quo(r.Num(), r.Denom())
	if !r.IsInt() && r.Sign() > 0 {
		n.Add(n, big.NewInt(1))
	}
	if !n.IsInt64() {
		return math.MaxInt64
	}
	return n.Int64()
}
