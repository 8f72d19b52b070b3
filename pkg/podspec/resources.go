package podspec

import (
	"fmt"
	"strings"
)

// Resource names minipod gives meaning to.
const (
	ResourceCPU              = "cpu"
	ResourceMemory           = "memory"
	ResourceEphemeralStorage = "ephemeral-storage"
	ResourceHugePagesPrefix  = "hugepages-"
)

// ResourceAmounts maps a resource name to its amount: "cpu" in millicores
// (Quantity.MilliValue), every other resource in its base unit
// (Quantity.Value, rounded up): bytes for memory, ephemeral-storage and
// hugepages-<size>, a count for extended resources such as example.com/foo.
// A resource that is absent is unset, which is not the same as 0: an unset
// limit is no limit. Amounts beyond the int64 range are math.MaxInt64.
type ResourceAmounts map[string]int64

// amountOf converts a quantity to the unit ResourceAmounts uses for name.
func amountOf(name string, q resQuantity) int64 {
	if name == ResourceCPU {
		return q.milli()
	}
	return q.value()
}

// resourceList is a parsed ResourceRequirements map, for the computations
// Kubernetes does on quantities (sums, maxima, comparisons).
type resourceList map[string]resQuantity

func parseList(m map[string]string) resourceList {
	out := make(resourceList, len(m))
	for name, s := range m {
		out[name] = mustResource(s)
	}
	return out
}

func (l resourceList) amounts() ResourceAmounts {
	out := make(ResourceAmounts, len(l))
	for name, q := range l {
		out[name] = amountOf(name, q)
	}
	return out
}

// Requests returns the container's requests, parsed. After Parse a
// resource with only a limit has that limit as its request, as Kubernetes
// defaults it.
func (c *Container) Requests() ResourceAmounts {
	if c.Resources == nil {
		return ResourceAmounts{}
	}
	return parseList(c.Resources.Requests).amounts()
}

// Limits returns the container's limits, parsed.
func (c *Container) Limits() ResourceAmounts {
	if c.Resources == nil {
		return ResourceAmounts{}
	}
	return parseList(c.Resources.Limits).amounts()
}

func (c *Container) requestList() resourceList {
	if c.Resources == nil {
		return resourceList{}
	}
	return parseList(c.Resources.Requests)
}

func (c *Container) limitList() resourceList {
	if c.Resources == nil {
		return resourceList{}
	}
	return parseList(c.Resources.Limits)
}

// HugePageSize returns the page size in bytes named by a hugepages-<size>
// resource name ("hugepages-2Mi" is 2097152).
func HugePageSize(name string) (int64, error) {
	size, ok := strings.CutPrefix(name, ResourceHugePagesPrefix)
	if !ok {
		return 0, fmt.Errorf("resource %q is not a hugepages-<size> resource", name)
	}
	q, err := parseQuantity(size)
	if err != nil || q.Sign() <= 0 || !q.IsInt() || !q.Num().IsInt64() {
		return 0, fmt.Errorf("resource %q: the page size must be a positive whole number of bytes", name)
	}
	return q.Num().Int64(), nil
}
