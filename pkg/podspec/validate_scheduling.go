package podspec

import (
	"fmt"
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
