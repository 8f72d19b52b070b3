package cgroups

import (
	"fmt"

	lib "github.com/opencontainers/cgroups"
	devices "github.com/opencontainers/cgroups/devices/config"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// settings turns the OCI resources of a config.json into what the library
// writes to the cgroup at dirs: device rules (only when creating; an
// update never touches them, as `runc update` does not) and limits,
// fitted to the controllers the cgroup has.
func (d Driver) settings(res *specs.LinuxResources, dirs Dirs, create bool) (*lib.Resources, error) {
	out := &lib.Resources{SkipDevices: true}
	if create {
		var err error
		if out, err = deviceRules(res, d.V2); err != nil {
			return nil, err
		}
	}
	if res == nil {
		return out, nil
	}
	if err := limits(out, res, d.V2, d.V2 || swapAccountingV1()); err != nil {
		return nil, err
	}
	if len(needs(out)) == 0 {
		return out, nil
	}
	have, err := d.controllers(dirs)
	if err != nil {
		return nil, err
	}
	return out, fit(out, have)
}

// deviceRules converts the device allowlist. A cgroup without rules
// allows every device (what it inherits), rather than the library's
// deny-all default: on v2 by attaching no device program; on v1 with an
// allow-all rule, because SkipDevices would not even create the devices
// directory.
func deviceRules(r *specs.LinuxResources, v2 bool) (*lib.Resources, error) {
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
