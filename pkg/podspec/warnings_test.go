package podspec

import (
	"slices"
	"testing"
)

func TestSchedulingFieldsWarn(t *testing.T) {
	cases := []edit{
		{"spec.nodeSelector", m{"disk": "ssd"}},
		{"spec.affinity", m{"nodeAffinity": m{}}},
		{"spec.tolerations", l{m{"operator": "Exists"}}},
		{"spec.topologySpreadConstraints", l{m{"maxSkew": 1, "topologyKey": "z", "whenUnsatisfiable": "DoNotSchedule"}}},
		{"spec.schedulerName", "other"},
		{"spec.priorityClassName", "high"},
		{"spec.priority", 10},
		{"spec.preemptionPolicy", "Never"},
		{"spec.automountServiceAccountToken", true},
		{"spec.nodeName", "node1"},
		{"spec.runtimeClassName", "kata"},
		{"spec.readinessGates", l{m{"conditionType": "x"}}},
		{"spec.overhead", m{"cpu": "100m"}},
		{"spec.securityContext.seLinuxChangePolicy", "Recursive"},
		{"spec.containers[0].resizePolicy", l{m{"resourceName": "cpu", "restartPolicy": "NotRequired"}}},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			_, warns := mustParse(t, podWith(tc))
			want := tc.path + ": accepted but ignored on one node"
			if !slices.Contains(warns, want) {
				t.Errorf("warnings %q do not contain %q", warns, want)
			}
		})
	}
}

func TestStatusIgnoredWithWarning(t *testing.T) {
	p := podWith(edit{"status", m{"phase": "Running", "podIP": "10.0.0.1"}}, edit{"metadata.resourceVersion", "42"})
	mf, warns := mustParse(t, p)
	if mf.Pods[0].Status != nil || mf.Pods[0].ResourceVersion != "" {
		t.Errorf("status or resourceVersion was decoded: %+v", mf.Pods[0])
	}
	for _, want := range []string{"status: ignored on input (it is set by minipod)", "metadata.resourceVersion: ignored on input (it is set by minipod)"} {
		if !slices.Contains(warns, want) {
			t.Errorf("warnings %q do not contain %q", warns, want)
		}
	}
}

func TestNoWarningsForPlainPod(t *testing.T) {
	if _, warns := mustParse(t, podWith()); len(warns) != 0 {
		t.Errorf("unexpected warnings %q", warns)
	}
}

func TestWarningsPrefixedInMultiDoc(t *testing.T) {
	data := withConfigMap(m{}, podWith(edit{"spec.nodeName", "n"}))
	_, warns := mustParse(t, data)
	if !slices.Contains(warns, `Pod "p": spec.nodeName: accepted but ignored on one node`) {
		t.Errorf("got %q", warns)
	}
}
