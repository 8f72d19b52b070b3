package podspec

import (
	"fmt"
	"strings"
)

// Resource requirements as the API server validates them
// (validateResourceRequirements and friends in
// pkg/apis/core/validation), after defaulting: a limit alone is also the
// request by then.

// nameCheck validates a resource name at a path.
type nameCheck func(name, path string) []error

// checkResources: a container's requests and limits.
func checkResources(_ *podContext, ctr *Container, path string) []error {
	if ctr.Resources == nil {
		return nil
	}
	return checkRequirements(ctr.Resources, containerResourceName, path+".resources")
}

// checkRequirements: names and quantities valid; request <= limit, and
// equal for resources that are not overcommitted (hugepages, extended),
// which also need the limit; hugepages only alongside cpu or memory.
func checkRequirements(r *ResourceRequirements, names nameCheck, path string) []error {
	var errs errList
	limits, requests := parseList(r.Limits), parseList(r.Requests)
	for _, name := range sortedKeys(limits) {
		errs.add(checkResourceEntry(name, limits[name], names, fmt.Sprintf("%s.limits[%s]", path, name))...)
	}
	for _, name := range sortedKeys(requests) {
		errs.add(checkResourceEntry(name, requests[name], names, fmt.Sprintf("%s.requests[%s]", path, name))...)
		errs.add(checkRequestAgainstLimit(name, requests[name], limits, path))
	}
	if usesHugePages(r) && !usesCPUOrMemory(r) {
		errs.add(forbidden(path, "HugePages require cpu or memory"))
	}
	return errs
}

// checkResourceEntry: the name, a non-negative value, whole numbers for
// extended resources, whole pages for hugepages.
func checkResourceEntry(name string, q resQuantity, names nameCheck, path string) []error {
	var errs errList
	errs.add(names(name, path)...)
	if q.rat().Sign() < 0 {
		errs.add(invalid(path, q.String(), "must be greater than or equal to 0"))
	}
	if isIntegerResource(name) && q.milli()%1000 != 0 {
		errs.add(invalid(path, q.String(), "must be an integer"))
	}
	if isHugePages(name) && !wholePages(name, q) {
		errs.add(invalid(path, q.String(), fmt.Sprintf("%s is not positive integer multiple of %s", q, name)))
	}
	return errs
}

// wholePages: a hugepages amount is a multiple of its page size.
func wholePages(name string, q resQuantity) bool {
	size, err := HugePageSize(name)
	return err == nil && q.value()%size == 0
}

func checkRequestAgainstLimit(name string, req resQuantity, limits resourceList, path string) error {
	lim, ok := limits[name]
	switch {
	case ok && req.cmp(lim) != 0 && !isOvercommitAllowed(name):
		return invalid(path+".requests", req.String(), fmt.Sprintf("must be equal to %s limit of %s", name, lim))
	case ok && req.cmp(lim) > 0:
		return invalid(path+".requests", req.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, lim))
	case !ok && !isOvercommitAllowed(name):
		return required(path+".limits", "Limit must be set for non overcommitable resources")
	}
	return nil
}

func usesHugePages(r *ResourceRequirements) bool {
	return anyKey(r.Limits, isHugePages) || anyKey(r.Requests, isHugePages)
}

func usesCPUOrMemory(r *ResourceRequirements) bool {
	cpuOrMemory := func(n string) bool { return n == ResourceCPU || n == ResourceMemory }
	return anyKey(r.Limits, cpuOrMemory) || anyKey(r.Requests, cpuOrMemory)
}

func anyKey(m map[string]string, pred func(string) bool) bool {
	for k := range m {
		if pred(k) {
			return true
		}
	}
	return false
}

// resourceName: a qualified name; without a domain, one the API knows.
func resourceName(name, path string) []error {
	if why := qualifiedName(name); why != "" {
		return []error{invalid(path, name, why)}
	}
	if !strings.Contains(name, "/") && !isStandardResource(name) {
		return []error{invalid(path, name, "must be a standard resource type or fully qualified")}
	}
	return nil
}

// containerResourceName: cpu, memory, ephemeral-storage, hugepages-<size>,
// or a domain-qualified (extended) resource.
func containerResourceName(name, path string) []error {
	errs := resourceName(name, path)
	switch {
	case !strings.Contains(name, "/") && !isStandardContainerResource(name):
		errs = append(errs, invalid(path, name, "must be a standard resource for containers"))
	case strings.Contains(name, "/") && !isNativeResource(name) && !isExtendedResource(name):
		errs = append(errs, invalid(path, name, "doesn't follow extended resource name standard"))
	}
	return errs
}

// podResourceName: spec.resources takes cpu, memory and hugepages only.
func podResourceName(name, path string) []error {
	if errs := resourceName(name, path); len(errs) > 0 {
		return errs
	}
	if !isPodLevelResource(name) {
		return []error{unsupported(path, name, ResourceCPU, ResourceHugePagesPrefix, ResourceMemory)}
	}
	return nil
}
