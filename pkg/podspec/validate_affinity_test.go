package podspec

import "testing"

// nodeTerm is a required node affinity with one term of one expression.
func nodeTerm(expr m) edit {
	return edit{"spec.affinity", m{"nodeAffinity": m{"requiredDuringSchedulingIgnoredDuringExecution": m{
		"nodeSelectorTerms": l{m{"matchExpressions": l{expr}}}}}}}
}

// podTerm is a required pod anti-affinity with one term.
func podTerm(term m) edit {
	return edit{"spec.affinity", m{"podAntiAffinity": m{"requiredDuringSchedulingIgnoredDuringExecution": l{term}}}}
}

// TestAffinityChecked: spec.affinity is ignored here but held to the API
// server's shape and rules, so that what minipod accepts a cluster does.
func TestAffinityChecked(t *testing.T) {
	const na = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
	const pa = "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
	cases := []struct {
		name string
		e    edit
		want string
	}{
		{"required as a list (an old documentation example)", edit{"spec.affinity", m{"nodeAffinity": m{
			"requiredDuringSchedulingIgnoredDuringExecution": l{m{"nodeSelectorTerms": l{}}}}}},
			na},
		{"no terms", edit{"spec.affinity", m{"nodeAffinity": m{"requiredDuringSchedulingIgnoredDuringExecution": m{"nodeSelectorTerms": l{}}}}},
			na + ".nodeSelectorTerms: Required value: must have at least one node selector term"},
		{"unknown operator", nodeTerm(m{"key": "disktype", "operator": "Equals", "values": l{"ssd"}}),
			na + `.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator`},
		{"In without values", nodeTerm(m{"key": "disktype", "operator": "In"}),
			na + ".nodeSelectorTerms[0].matchExpressions[0].values: Required value"},
		{"Exists with values", nodeTerm(m{"key": "disktype", "operator": "Exists", "values": l{"x"}}),
			na + ".nodeSelectorTerms[0].matchExpressions[0].values: Forbidden"},
		{"Gt with two values", nodeTerm(m{"key": "cores", "operator": "Gt", "values": l{"1", "2"}}),
			na + ".nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"},
		{"In with a value that is no label value", nodeTerm(m{"key": "disktype", "operator": "In", "values": l{"bad value!"}}),
			na + `.nodeSelectorTerms[0].matchExpressions[0].values[0]: Invalid value: "bad value!"`},
		{"matchFields value not a node name", edit{"spec.affinity", m{"nodeAffinity": m{"requiredDuringSchedulingIgnoredDuringExecution": m{
			"nodeSelectorTerms": l{m{"matchFields": l{m{"key": "metadata.name", "operator": "In", "values": l{"Node_1"}}}}}}}}},
			na + `.nodeSelectorTerms[0].matchFields[0].values[0]: Invalid value: "Node_1"`},
		{"bad key", nodeTerm(m{"key": "-bad", "operator": "Exists"}),
			na + `.nodeSelectorTerms[0].matchExpressions[0].key: Invalid value: "-bad"`},
		{"weight 0", edit{"spec.affinity", m{"nodeAffinity": m{"preferredDuringSchedulingIgnoredDuringExecution": l{
			m{"weight": 0, "preference": m{"matchExpressions": l{m{"key": "a", "operator": "Exists"}}}}}}}},
			"spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100"},
		{"no topologyKey", podTerm(m{"labelSelector": m{"matchLabels": m{"app": "web"}}}),
			pa + ".topologyKey: Required value: can not be empty"},
		{"selector value", podTerm(m{"topologyKey": "zone", "labelSelector": m{"matchExpressions": l{m{"key": "app", "operator": "In", "values": l{"a b"}}}}}),
			pa + `.labelSelector.matchExpressions[0].values[0]: Invalid value: "a b"`},
		{"namespace", podTerm(m{"topologyKey": "zone", "namespaces": l{"Bad"}}), pa + `.namespace: Invalid value: "Bad"`},
		{"selector operator", podTerm(m{"topologyKey": "kubernetes.io/hostname", "labelSelector": m{"matchExpressions": l{m{"key": "app", "operator": "Gt", "values": l{"1"}}}}}),
			pa + `.labelSelector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator`},
		{"misspelt field", podTerm(m{"topologykey": "zone"}), pa + ".topologykey"},
		{"matchLabelKeys without a selector", podTerm(m{"topologyKey": "zone", "matchLabelKeys": l{"app"}}),
			pa + ".matchLabelKeys: Forbidden: must not be specified when labelSelector is not set"},
		{"a key in both lists", podTerm(m{"topologyKey": "zone", "labelSelector": m{}, "matchLabelKeys": l{"app"}, "mismatchLabelKeys": l{"app"}}),
			pa + `.mismatchLabelKeys[0]: Invalid value: "app": exists in both matchLabelKeys and mismatchLabelKeys`},
		{"a bad key", podTerm(m{"topologyKey": "zone", "labelSelector": m{}, "matchLabelKeys": l{"-x"}}),
			pa + `.matchLabelKeys[0]: Invalid value: "-x"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectError(t, podWith(c.e), c.want) })
	}
}

// TestAffinityAccepted: the documentation's kinds of affinity pass, with
// the warning that one node ignores them.
func TestAffinityAccepted(t *testing.T) {
	_, warns := mustParse(t, podWith(edit{"spec.affinity", m{
		"nodeAffinity": m{
			"requiredDuringSchedulingIgnoredDuringExecution": m{"nodeSelectorTerms": l{m{"matchExpressions": l{
				m{"key": "topology.kubernetes.io/zone", "operator": "In", "values": l{"antarctica-east1", "antarctica-west1"}},
				m{"key": "cores", "operator": "Gt", "values": l{"1.5"}}}}}}, // the API server counts Gt's values, no more
			"preferredDuringSchedulingIgnoredDuringExecution": l{m{"weight": 1, "preference": m{"matchExpressions": l{
				m{"key": "another-node-label-key", "operator": "In", "values": l{"another-node-label-value"}}}}}},
		},
		"podAffinity": m{"requiredDuringSchedulingIgnoredDuringExecution": l{m{
			"labelSelector": m{"matchExpressions": l{m{"key": "security", "operator": "In", "values": l{"S1"}}}},
			"topologyKey":   "topology.kubernetes.io/zone"}}},
		"podAntiAffinity": m{"preferredDuringSchedulingIgnoredDuringExecution": l{m{"weight": 100, "podAffinityTerm": m{
			"labelSelector": m{"matchExpressions": l{m{"key": "security", "operator": "In", "values": l{"S2"}}}},
			"topologyKey":   "topology.kubernetes.io/zone"}}}},
	}}))
	if len(warns) != 1 || warns[0] != "spec.affinity: accepted but ignored on one node" {
		t.Errorf("warnings %q, want the one that affinity is ignored", warns)
	}
}
