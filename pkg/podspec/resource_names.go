package podspec

import "strings"

// Resource name classes, restated from kubernetes/pkg/apis/core/helper.

// standardResources are the unprefixed names the API knows at all (quota
// names included); anything else without a domain is an error.
var standardResources = map[string]bool{
	"cpu": true, "memory": true, "ephemeral-storage": true, "storage": true,
	"requests.cpu": true, "requests.memory": true, "requests.ephemeral-storage": true, "requests.storage": true,
	"limits.cpu": true, "limits.memory": true, "limits.ephemeral-storage": true,
	"pods": true, "services": true, "replicationcontrollers": true, "resourcequotas": true,
	"secrets": true, "configmaps": true, "persistentvolumeclaims": true,
	"services.nodeports": true, "services.loadbalancers": true,
}

// integerResources must be whole numbers (besides extended resources).
var integerResources = map[string]bool{
	"pods": true, "services": true, "replicationcontrollers": true, "resourcequotas": true,
	"secrets": true, "configmaps": true, "persistentvolumeclaims": true,
	"services.nodeports": true, "services.loadbalancers": true,
}

func isHugePages(name string) bool { return strings.HasPrefix(name, ResourceHugePagesPrefix) }

func isStandardResource(name string) bool {
	return standardResources[name] || isHugePages(name) || strings.HasPrefix(name, "requests.hugepages-")
}

// isStandardContainerResource: what a container may request or limit
// without a domain.
func isStandardContainerResource(name string) bool {
	return name == ResourceCPU || name == ResourceMemory || name == ResourceEphemeralStorage || isHugePages(name)
}

// isNativeResource: in the kubernetes.io namespace, explicitly or (no
// domain) implicitly.
func isNativeResource(name string) bool {
	return !strings.Contains(name, "/") || strings.Contains(name, "kubernetes.io/")
}

// isExtendedResource: a domain-qualified name outside kubernetes.io, such
// as example.com/foo, that would still be a qualified name as the quota
// name "requests.<name>".
func isExtendedResource(name string) bool {
	if isNativeResource(name) || strings.HasPrefix(name, "requests.") {
		return false
	}
	return qualifiedName("requests."+name) == ""
}

// isOvercommitAllowed: a request may be below the limit. Hugepages and
// extended resources are not overcommitted: request equals limit.
func isOvercommitAllowed(name string) bool {
	return isNativeResource(name) && !isHugePages(name)
}

func isIntegerResource(name string) bool {
	return integerResources[name] || isExtendedResource(name)
}

// isPodLevelResource: what spec.resources may name.
func isPodLevelResource(name string) bool {
	return name == ResourceCPU || name == ResourceMemory || isHugePages(name)
}

// IsExtendedResource says whether name is an extended resource name (such
// as example.com/dongle), the kind a node advertises for pods to request.
func IsExtendedResource(name string) bool { return isExtendedResource(name) }
