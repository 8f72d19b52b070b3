package podspec

import (
	"fmt"
	"github.com/minipod/minipod/pkg/nodeconfig"
	"strconv"
)

// The scheduling fields are ignored on one node (warned about), but a
// manifest minipod accepts must be one Kubernetes accepts, so their numbers
// are held to Kubernetes' rules.

func checkScheduling(c *podContext) []error {
	var errs errList
	s := &c.pod.Spec
	for i, tol := range s.Tolerations {
		if tol.TolerationSeconds != nil && tol.Effect != "NoExecute" {
			errs.add(invalid(fmt.Sprintf("spec.tolerations[%d].effect", i), tol.Effect,
				"effect must be 'NoExecute' when `tolerationSeconds` is set"))
		}
	}
	for i, tsc := range s.TopologySpreadConstraints {
		p := fmt.Sprintf("spec.topologySpreadConstraints[%d]", i)
		errs.add(checkSpreadNumbers(tsc, p)...)
		errs.add(checkLabelSelector(tsc.LabelSelector, p+".labelSelector")...)
	}
	errs.add(checkAffinityRules(s.Affinity, "spec.affinity")...)
	errs.add(checkSchedulingGates(s)...)
	// The API server checks overhead as a container's limits (validateOverhead).
	errs.add(checkRequirements(&ResourceRequirements{Limits: s.Overhead}, containerResourceName, "spec.overhead")...)
	return errs
}

func checkSpreadNumbers(tsc TopologySpreadConstraint, path string) []error {
	var errs errList
	if tsc.MaxSkew <= 0 {
		errs.add(invalid(path+".maxSkew", strconv.Itoa(int(tsc.MaxSkew)), "must be greater than zero"))
	}
	if md := tsc.MinDomains; md != nil {
		v := strconv.Itoa(int(*md))
		if *md <= 0 {
			errs.add(invalid(path+".minDomains", v, "must be greater than zero"))
		}
		if tsc.WhenUnsatisfiable != "DoNotSchedule" {
			errs.add(invalid(path+".minDomains", v,
				"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not "+tsc.WhenUnsatisfiable))
		}
	}
	return errs
}

// checkSchedulingGates: qualified names, each once; and a pod that names
// its node skips the scheduler, which gates are for.
func checkSchedulingGates(s *PodSpec) []error {
	var errs errList
	seen := map[string]bool{}
	for i, g := range s.SchedulingGates {
		p := fmt.Sprintf("spec.schedulingGates[%d].name", i)
		if why := qualifiedName(g.Name); why != "" {
			errs.add(invalid(p, g.Name, why))
		} else if seen[g.Name] {
			errs.add(duplicate(p, g.Name))
		}
		seen[g.Name] = true
	}
	if len(s.SchedulingGates) > 0 && s.NodeName != "" {
		errs.add(forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"))
	}
	return errs
}

// nodeNameWarnings: a pod that names another node runs on this one all
// the same; one that names this node (as `get -o yaml` prints a bound pod)
// is bound to it, as the scheduler would have done, and hears nothing.
func nodeNameWarnings(p *Pod) []string {
	if p.Spec.NodeName == "" || p.Spec.NodeName == nodeconfig.NodeName() {
		return nil
	}
	return []string{"spec.nodeName: accepted but ignored on one node"}
}
