package podspec

import "slices"

// RestartsAfter reports whether the container is restarted after it
// exited with code, as the kubelet decides it (ContainerShouldRestart):
// where the container has a restartPolicy of its own, the first of its
// restartPolicyRules that matches the code decides, else that policy;
// otherwise the pod's. A native sidecar always restarts; an init container
// that succeeded never does (the next one starts), whatever its rules.
func (c *Container) RestartsAfter(code int, podPolicy string, init bool) bool {
	if init && c.IsSidecar() {
		return true
	}
	if init && code == 0 {
		return false
	}
	policy := podPolicy
	if c.RestartPolicy != nil {
		policy = *c.RestartPolicy
		if r := c.matchingRule(code); r != nil && r.Action == RestartActionRestart {
			return true
		}
	}
	switch policy {
	case "Never":
		return false
	case "OnFailure":
		return code != 0
	default:
		return true
	}
}

// RestartsAfterProbeKill reports whether a container stopped for a failed
// liveness or startup probe is restarted whatever its exit code, as the
// kubelet decides it when it kills: by its restart policy alone (its own,
// else the pod's), anything but Never; a native sidecar always. Where it
// is not, its exit meets RestartsAfter as any exit does.
func (c *Container) RestartsAfterProbeKill(podPolicy string, init bool) bool {
	return init && c.IsSidecar() || c.EffectiveRestartPolicy(podPolicy) != "Never"
}

// EffectiveRestartPolicy is the container's own restartPolicy, else the
// pod's.
func (c *Container) EffectiveRestartPolicy(podPolicy string) string {
	if c.RestartPolicy != nil {
		return *c.RestartPolicy
	}
	return podPolicy
}

// matchingRule is the first rule whose exit codes match code.
func (c *Container) matchingRule(code int) *ContainerRestartRule {
	for i := range c.RestartPolicyRules {
		if c.RestartPolicyRules[i].matches(code) {
			return &c.RestartPolicyRules[i]
		}
	}
	return nil
}

// RestartActionRestart is the one action of a container restart rule
// (RestartAllContainers is an alpha feature, off by default).
const RestartActionRestart = "Restart"

func (r ContainerRestartRule) matches(code int) bool {
	if r.ExitCodes == nil {
		return false
	}
	in := slices.Contains(r.ExitCodes.Values, int32(code))
	switch r.ExitCodes.Operator {
	case "In":
		return in
	case "NotIn":
		return !in
	}
	return false
}
