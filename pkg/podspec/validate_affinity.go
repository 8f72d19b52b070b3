package podspec

import (
	"fmt"
	"slices"
	"strconv"
)

// checkAffinityRules holds spec.affinity to the API server's rules: selector
// operators and their values, weights, topology keys. Nothing here
// schedules by it.
func checkAffinityRules(a *Affinity, path string) []error {
	if a == nil {
		return nil
	}
	var errs errList
	if na := a.NodeAffinity; na != nil {
		p := path + ".nodeAffinity"
		if r := na.Required; r != nil {
			rp := p + ".requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
			if len(r.NodeSelectorTerms) == 0 {
				errs.add(required(rp, "must have at least one node selector term"))
			}
			for i, term := range r.NodeSelectorTerms {
				errs.add(checkNodeSelectorTerm(term, fmt.Sprintf("%s[%d]", rp, i))...)
			}
		}
		for i, pref := range na.Preferred {
			pp := fmt.Sprintf("%s.preferredDuringSchedulingIgnoredDuringExecution[%d]", p, i)
			errs.add(checkWeight(pref.Weight, pp+".weight"))
			errs.add(checkNodeSelectorTerm(pref.Preference, pp+".preference")...)
		}
	}
	for i, pa := range []*PodAffinity{a.PodAffinity, a.PodAntiAffinity} {
		if pa == nil {
			continue
		}
		p := path + "." + [...]string{"podAffinity", "podAntiAffinity"}[i]
		for i, term := range pa.Required {
			errs.add(checkPodAffinityTerm(term, fmt.Sprintf("%s.requiredDuringSchedulingIgnoredDuringExecution[%d]", p, i))...)
		}
		for i, w := range pa.Preferred {
			wp := fmt.Sprintf("%s.preferredDuringSchedulingIgnoredDuringExecution[%d]", p, i)
			errs.add(checkWeight(w.Weight, wp+".weight"))
			errs.add(checkPodAffinityTerm(w.PodAffinityTerm, wp+".podAffinityTerm")...)
		}
	}
	return errs
}

func checkWeight(w int32, path string) error {
	if w < 1 || w > 100 {
		return invalidRaw(path, strconv.Itoa(int(w)), "must be in the range 1-100")
	}
	return nil
}

func checkNodeSelectorTerm(term NodeSelectorTerm, path string) []error {
	var errs errList
	for i, r := range term.MatchExpressions {
		p := fmt.Sprintf("%s.matchExpressions[%d]", path, i)
		if why := qualifiedName(r.Key); why != "" {
			errs.add(invalid(p+".key", r.Key, why))
		}
		errs.add(checkNodeOperator(r, p)...)
	}
	for i, r := range term.MatchFields {
		p := fmt.Sprintf("%s.matchFields[%d]", path, i)
		if r.Key != "metadata.name" {
			errs.add(invalid(p+".key", r.Key, "not a valid field selector key"))
		}
		switch {
		case r.Operator != "In" && r.Operator != "NotIn":
			errs.add(invalid(p+".operator", r.Operator, "not a valid selector operator"))
		case len(r.Values) != 1:
			errs.add(required(p+".values", "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
		default:
			if why := dns1123Subdomain(r.Values[0]); why != "" {
				errs.add(invalid(p+".values[0]", r.Values[0], why))
			}
		}
	}
	return errs
}

// checkNodeOperator: In and NotIn take values, Exists and DoesNotExist
// none, Gt and Lt exactly one.
func checkNodeOperator(r NodeSelectorRequirement, p string) []error {
	if r.Operator == "Gt" || r.Operator == "Lt" {
		if len(r.Values) != 1 {
			return []error{required(p+".values", "must be specified single value when `operator` is 'Lt' or 'Gt'")}
		}
		return nil
	}
	return checkSetOperator(r.Operator, r.Values, p)
}

// checkSetOperator is the rule of a selector's set operators: In and
// NotIn take label values, Exists and DoesNotExist none.
func checkSetOperator(op string, values []string, p string) []error {
	var errs errList
	switch op {
	case "In", "NotIn":
		if len(values) == 0 {
			errs.add(required(p+".values", "must be specified when `operator` is 'In' or 'NotIn'"))
		}
		for i, v := range values {
			if why := labelValue(v); why != "" {
				errs.add(invalid(fmt.Sprintf("%s.values[%d]", p, i), v, why))
			}
		}
	case "Exists", "DoesNotExist":
		if len(values) > 0 {
			errs.add(forbidden(p+".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
		}
	default:
		errs.add(invalid(p+".operator", op, "not a valid selector operator"))
	}
	return errs
}

func checkPodAffinityTerm(term PodAffinityTerm, path string) []error {
	var errs errList
	if term.TopologyKey == "" {
		errs.add(required(path+".topologyKey", "can not be empty"))
	} else if why := qualifiedName(term.TopologyKey); why != "" {
		errs.add(invalid(path+".topologyKey", term.TopologyKey, why))
	}
	for _, ns := range term.Namespaces {
		if why := dns1123Label(ns); why != "" {
			errs.add(invalid(path+".namespace", ns, why)) // the API server's path
		}
	}
	errs.add(checkLabelSelector(term.LabelSelector, path+".labelSelector")...)
	errs.add(checkLabelSelector(term.NamespaceSelector, path+".namespaceSelector")...)
	errs.add(checkLabelKeys(term, path)...)
	return errs
}

// checkLabelKeys: matchLabelKeys and mismatchLabelKeys are label keys that
// refine a label selector, so they need one, and no key is in both.
func checkLabelKeys(term PodAffinityTerm, path string) []error {
	var errs errList
	for _, f := range []struct {
		name string
		keys []string
	}{{"matchLabelKeys", term.MatchLabelKeys}, {"mismatchLabelKeys", term.MismatchLabelKeys}} {
		if len(f.keys) > 0 && term.LabelSelector == nil {
			errs.add(forbidden(path+"."+f.name, "must not be specified when labelSelector is not set"))
		}
		for i, k := range f.keys {
			if why := qualifiedName(k); why != "" {
				errs.add(invalid(fmt.Sprintf("%s.%s[%d]", path, f.name, i), k, why))
			}
		}
	}
	for i, k := range term.MismatchLabelKeys {
		if slices.Contains(term.MatchLabelKeys, k) {
			errs.add(invalid(fmt.Sprintf("%s.mismatchLabelKeys[%d]", path, i), k, "exists in both matchLabelKeys and mismatchLabelKeys"))
		}
	}
	return errs
}

// checkLabelSelector is metav1 validation of a label selector.
func checkLabelSelector(s *LabelSelector, path string) []error {
	if s == nil {
		return nil
	}
	var errs errList
	errs.add(checkLabels(s.MatchLabels, path+".matchLabels")...)
	for i, r := range s.MatchExpressions {
		p := fmt.Sprintf("%s.matchExpressions[%d]", path, i)
		if why := qualifiedName(r.Key); why != "" {
			errs.add(invalid(p+".key", r.Key, why))
		}
		errs.add(checkSetOperator(r.Operator, r.Values, p)...)
	}
	return errs
}
