package cgroups

import (
	"fmt"

	lib "github.com/opencontainers/cgroups"
	devices "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// resources turns the OCI resources of a config.json into the library's.
// Only device rules exist so far. A cgroup without them allows every
// device (what it inherits), rather than the library's deny-all default:
// on v2 by attaching no device program; on v1 with an allow-all rule,
// because SkipDevices would not even create the devices directory.
func resources(r *specs.LinuxResources, v2 bool) (*lib.Resources, error) {
	out := &lib.Resources{}
	if r == nil || len(r.Devices) == 0 {
		if v2 {
			out.SkipDevices = true
			return out, nil
		}
		all := &devices.Rule{Type: devices.WildcardDevice, Major: devices.Wildcard, Minor: devices.Wildcard, Permissions: "rwm", Allow: true}
		out.Devices = []*devices.Rule{all}
		return out, nil
	}
	for i, d := range r.Devices {
		rule, err := deviceRule(d)
		if err != nil {
			return nil, fmt.Errorf("linux.resources.devices[%d]: %w", i, err)
		}
		out.Devices = append(out.Devices, rule)
	}
	return out, nil
}

func deviceRule(d specs.LinuxDeviceCgroup) (*devices.Rule, error) {
	t := devices.WildcardDevice
	switch d.Type {
	case "", "a":
	case "c":
		t = devices.CharDevice
	case "b":
		t = devices.BlockDevice
	default:
		return nil, fmt.Errorf("device type %q is not a, b or c", d.Type)
	}
	access := devices.Permissions(d.Access)
	if access == "" {
		access = "rwm"
	}
	if !access.IsValid() {
		return nil, fmt.Errorf("device access %q is not made of r, w and m", d.Access)
	}
	return &devices.Rule{Type: t, Major: number(d.Major), Minor: number(d.Minor), Permissions: access, Allow: d.Allow}, nil
}

func number(n *int64) int64 {
	if n == nil {
		return devices.Wildcard
	}
	return *n
}
