package podspec

import "fmt"

// deprecatedNodeLabels are node labels the kubelet stopped setting long
// ago, with their replacements: a selector on one of them matches no
// current node.
var deprecatedNodeLabels = map[string]string{
	"beta.kubernetes.io/arch":                  `deprecated since v1.14; use "kubernetes.io/arch" instead`,
	"beta.kubernetes.io/os":                    `deprecated since v1.14; use "kubernetes.io/os" instead`,
	"failure-domain.beta.kubernetes.io/region": `deprecated since v1.17; use "topology.kubernetes.io/region" instead`,
	"failure-domain.beta.kubernetes.io/zone":   `deprecated since v1.17; use "topology.kubernetes.io/zone" instead`,
	"beta.kubernetes.io/instance-type":         `deprecated since v1.17; use "node.kubernetes.io/instance-type" instead`,
}

// nodeLabelWarnings: the API server's warnings for deprecated node labels
// in the nodeSelector and the node affinity terms, which come first of
// its pod warnings.
func nodeLabelWarnings(s *PodSpec) []string {
	var w []string
	for _, k := range sortedKeys(s.NodeSelector) {
		if msg, ok := deprecatedNodeLabels[k]; ok {
			w = append(w, fmt.Sprintf("spec.nodeSelector[%s]: %s", k, msg))
		}
	}
	if s.Affinity == nil || s.Affinity.NodeAffinity == nil {
		return w
	}
	const base = "spec.affinity.nodeAffinity."
	if r := s.Affinity.NodeAffinity.Required; r != nil {
		for i, t := range r.NodeSelectorTerms {
			w = append(w, termLabelWarnings(fmt.Sprintf(base+"requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[%d]", i), t)...)
		}
	}
	for i, p := range s.Affinity.NodeAffinity.Preferred {
		w = append(w, termLabelWarnings(fmt.Sprintf(base+"preferredDuringSchedulingIgnoredDuringExecution[%d].preference", i), p.Preference)...)
	}
	return w
}

func termLabelWarnings(path string, t NodeSelectorTerm) []string {
	var w []string
	for i, e := range t.MatchExpressions {
		if msg, ok := deprecatedNodeLabels[e.Key]; ok {
			w = append(w, fmt.Sprintf("%s.matchExpressions[%d].key: %s is %s", path, i, e.Key, msg))
		}
	}
	return w
}
