package capacity

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
)

// Extended is the node setting extended-resources: the extended
// resources this node advertises, as `name=count,...` (for example
// `example.com/dongle=4`), the way a device plugin or a patch of the
// node's status advertises them on a Kubernetes node. None by default.
func Extended() (podspec.ResourceAmounts, error) {
	list, err := nodeconfig.List("extended-resources")
	if err != nil {
		return nil, err
	}
	out := podspec.ResourceAmounts{}
	for _, item := range list {
		name, count, ok := strings.Cut(item, "=")
		name, count = strings.TrimSpace(name), strings.TrimSpace(count)
		n, err := strconv.ParseInt(count, 10, 64)
		switch {
		case !ok || err != nil || n < 0:
			return nil, fmt.Errorf("node setting extended-resources in %s: %q: want NAME=COUNT, COUNT a whole number", nodeconfig.File(), item)
		case !podspec.IsExtendedResource(name):
			return nil, fmt.Errorf("node setting extended-resources in %s: %q is not an extended resource name (DOMAIN/NAME outside kubernetes.io)", nodeconfig.File(), name)
		}
		out[name] = n
	}
	return out, nil
}
