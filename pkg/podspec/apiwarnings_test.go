package podspec

import (
	"slices"
	"strings"
	"testing"
)

// TestAPIWarnings: the API server's warnings on pod creation, word for
// word as its own tests list them, for what each case sets.
func TestAPIWarnings(t *testing.T) {
	cases := []struct {
		name  string
		edits []edit
		want  []string
	}{
		{"deprecated annotations", []edit{{"metadata.annotations", m{
			"scheduler.alpha.kubernetes.io/critical-pod":       "true",
			"seccomp.security.alpha.kubernetes.io/pod":         "runtime/default",
			"container.seccomp.security.alpha.kubernetes.io/c": "runtime/default",
			"security.alpha.kubernetes.io/sysctls":             "a",
			"security.alpha.kubernetes.io/unsafe-sysctls":      "b",
		}}}, []string{
			`metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead`,
			`metadata.annotations[security.alpha.kubernetes.io/sysctls]: non-functional in v1.11+; use the "sysctls" field instead`,
			`metadata.annotations[security.alpha.kubernetes.io/unsafe-sysctls]: non-functional in v1.11+; use the "sysctls" field instead`,
			`metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead`,
			`metadata.annotations[container.seccomp.security.alpha.kubernetes.io/c]: non-functional in v1.27+; use the "seccompProfile" field instead`,
		}},
		{"seccomp annotations beside the fields", []edit{
			{"metadata.annotations", m{"seccomp.security.alpha.kubernetes.io/pod": "runtime/default", "container.seccomp.security.alpha.kubernetes.io/c": "runtime/default", "container.seccomp.security.alpha.kubernetes.io/gone": "x"}},
			{"spec.securityContext.seccompProfile", m{"type": "RuntimeDefault"}},
			{"spec.containers[0].securityContext.seccompProfile", m{"type": "RuntimeDefault"}},
		}, nil},
		{"env", []edit{{"spec.containers[0].env", l{
			m{"name": "A", "value": "1"}, m{"name": "A", "value": "$(A)2"}, // builds on it: fine
			m{"name": "B", "value": "1"}, m{"name": "B", "value": "2"},
			m{"name": "C", "value": "1"}, m{"name": "C", "value": "$(C)"},
			m{"name": "D", "value": "1"}, m{"name": "D", "valueFrom": m{"fieldRef": m{"fieldPath": "metadata.name"}}},
		}}}, []string{
			`spec.containers[0].env[3]: hides previous definition of "B", which may be dropped when using apply`,
			`spec.containers[0].env[5]: hides previous definition of "C", which may be dropped when using apply`,
			`spec.containers[0].env[7]: hides previous definition of "D", which may be dropped when using apply`,
		}},
		{"hostAliases and imagePullSecrets", []edit{
			{"spec.hostAliases", l{m{"ip": "1.2.3.4", "hostnames": l{"a"}}, m{"ip": "1.2.3.4", "hostnames": l{"b"}}}},
			{"spec.imagePullSecrets", l{m{"name": "s"}, m{"name": "s"}, m{"name": ""}}},
		}, []string{
			`spec.hostAliases[1].ip: duplicate ip "1.2.3.4"`,
			`spec.imagePullSecrets[1].name: duplicate name "s"`,
			`spec.imagePullSecrets[2].name: invalid empty name ""`,
		}},
		{"ports", []edit{
			{"spec.initContainers", l{m{"name": "i", "image": "busybox", "ports": l{m{"containerPort": 80}}}}},
			{"spec.containers[0].ports", l{
				m{"containerPort": 80},
				m{"containerPort": 81, "hostIP": "127.0.0.1"},
				m{"containerPort": 82, "hostPort": 8082},
				m{"containerPort": 82, "hostPort": 8082, "hostIP": "127.0.0.1"},
				m{"containerPort": 83, "protocol": "UDP"}, m{"containerPort": 83},
			}},
		}, []string{
			`spec.containers[0].ports[0]: duplicate port definition with spec.initContainers[0].ports[0]`,
			`spec.containers[0].ports[1]: hostIP set without hostPort: {Name: HostPort:0 ContainerPort:81 Protocol:TCP HostIP:127.0.0.1}`,
			`spec.containers[0].ports[3]: dangerously ambiguous port definition with spec.containers[0].ports[2]`,
		}},
		{"null selectors", []edit{
			{"spec.topologySpreadConstraints", l{m{"maxSkew": 1, "topologyKey": "z", "whenUnsatisfiable": "DoNotSchedule"}}},
			{"spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution", l{m{"topologyKey": "z"}}},
			{"spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution", l{m{"weight": 1, "podAffinityTerm": m{"topologyKey": "z"}}}},
		}, []string{
			`spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod`,
			`spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod`,
			`spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector: a null labelSelector results in matching no pod`,
		}},
		{"volume paths", []edit{{"spec.volumes", l{
			m{"name": "cm", "configMap": m{"name": "c", "items": l{m{"key": "k1", "path": "path"}, m{"key": "k2", "path": "path/path2"}}}},
			m{"name": "sec", "secret": m{"secretName": "s", "items": l{m{"key": "k1", "path": "a"}, m{"key": "k2", "path": "a/"}}}},
			m{"name": "pr", "projected": m{"sources": l{
				m{"configMap": m{"name": "c", "items": l{m{"key": "k", "path": "x"}}}},
				m{"secret": m{"name": "s", "items": l{m{"key": "k", "path": "x/y"}}}},
			}}},
		}}}, []string{
			`volume "cm" (ConfigMap "c"): overlapping paths: "path/path2" with "path"`,
			`volume "sec" (Secret "s"): overlapping paths: "a" with "a"`,
			`volume "pr" (Projected Secret "s"): overlapping paths: "x/y" with "x"`,
		}},
	}
	cases = append(cases, []struct {
		name  string
		edits []edit
		want  []string
	}{
		{"fractional bytes", []edit{
			{"spec.containers[0].resources", m{"limits": m{"memory": "1.5Gi", "cpu": "1.5"}, "requests": m{"memory": "1.1Mi", "ephemeral-storage": "100m"}}},
			{"spec.initContainers", l{m{"name": "i", "image": "busybox", "resources": m{"limits": m{"memory": "1.5"}}}}},
			{"spec.overhead", m{"memory": "0.5"}},
		}, []string{
			`spec.overhead[memory]: fractional byte value "500m" is invalid, must be an integer`,
			`spec.initContainers[0].resources.limits[memory]: fractional byte value "1500m" is invalid, must be an integer`,
			// requests default to the limits, as in the API server.
			`spec.initContainers[0].resources.requests[memory]: fractional byte value "1500m" is invalid, must be an integer`,
			`spec.containers[0].resources.requests[memory]: fractional byte value "1153433600m" is invalid, must be an integer`,
			`spec.containers[0].resources.requests[ephemeral-storage]: fractional byte value "100m" is invalid, must be an integer`,
		}},
		{"deprecated node labels", []edit{
			{"spec.nodeSelector", m{"beta.kubernetes.io/os": "linux", "disk": "ssd"}},
			{"spec.affinity.nodeAffinity", m{
				"requiredDuringSchedulingIgnoredDuringExecution":  m{"nodeSelectorTerms": l{m{"matchExpressions": l{m{"key": "failure-domain.beta.kubernetes.io/zone", "operator": "Exists"}}}}},
				"preferredDuringSchedulingIgnoredDuringExecution": l{m{"weight": 1, "preference": m{"matchExpressions": l{m{"key": "x", "operator": "Exists"}, m{"key": "beta.kubernetes.io/arch", "operator": "Exists"}}}}},
			}},
			{"spec.topologySpreadConstraints", l{m{"maxSkew": 1, "topologyKey": "beta.kubernetes.io/instance-type", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": m{}}}},
		}, []string{
			`spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead`,
			`spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; use "topology.kubernetes.io/zone" instead`,
			`spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[1].key: beta.kubernetes.io/arch is deprecated since v1.14; use "kubernetes.io/arch" instead`,
			`spec.topologySpreadConstraints[0].topologyKey: beta.kubernetes.io/instance-type is deprecated since v1.17; use "node.kubernetes.io/instance-type" instead`,
		}},
		{"empty projected source", []edit{{"spec.volumes", l{m{"name": "pr", "projected": m{"sources": l{m{}}}}}}},
			[]string{`volume "pr" (Projected) has no sources provided`}},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, warns := mustParse(t, podWith(c.edits...))
			var got []string
			for _, w := range warns {
				if !slices.Contains(otherWarnings, w) {
					got = append(got, w)
				}
			}
			for _, w := range c.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing warning %q; got %q", w, got)
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("got %d warnings %q, want %d", len(got), got, len(c.want))
			}
		})
	}
}

// otherWarnings are minipod's own, which the cases above also meet.
var otherWarnings = []string{
	"spec.topologySpreadConstraints: accepted but ignored on one node",
	"spec.affinity: accepted but ignored on one node",
	"spec.overhead: accepted but ignored on one node",
	"spec.nodeSelector: accepted but ignored on one node",
}

// TestAPIWarningsOrder: the warnings come in the API server's order:
// spread constraints, annotations, volumes, aliases, pull secrets, the
// pod's seccomp annotation, each container's (seccomp, then variables),
// ports, affinity terms.
func TestAPIWarningsOrder(t *testing.T) {
	p := podWith(
		edit{"metadata.annotations", m{"seccomp.security.alpha.kubernetes.io/pod": "x", "container.seccomp.security.alpha.kubernetes.io/c": "x", "scheduler.alpha.kubernetes.io/critical-pod": "x"}},
		edit{"spec.topologySpreadConstraints", l{m{"maxSkew": 1, "topologyKey": "z", "whenUnsatisfiable": "DoNotSchedule"}}},
		edit{"spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution", l{m{"topologyKey": "z"}}},
		edit{"spec.hostAliases", l{m{"ip": "1.2.3.4", "hostnames": l{"a"}}, m{"ip": "1.2.3.4", "hostnames": l{"b"}}}},
		edit{"spec.imagePullSecrets", l{m{"name": "s"}, m{"name": "s"}}},
		edit{"spec.volumes", l{m{"name": "cm", "configMap": m{"name": "c", "items": l{m{"key": "a", "path": "p"}, m{"key": "b", "path": "p/q"}}}}}},
		edit{"spec.containers[0].env", l{m{"name": "A", "value": "1"}, m{"name": "A", "value": "2"}}},
		edit{"spec.containers[0].ports", l{m{"containerPort": 80}, m{"containerPort": 80}}},
	)
	_, warns := mustParse(t, p)
	var got []string
	for _, w := range warns {
		if !slices.Contains(otherWarnings, w) {
			got = append(got, w)
		}
	}
	want := []string{
		`spec.topologySpreadConstraints[0].labelSelector: a null labelSelector results in matching no pod`,
		`metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the "priorityClassName" field instead`,
		`volume "cm" (ConfigMap "c"): overlapping paths: "p/q" with "p"`,
		`spec.hostAliases[1].ip: duplicate ip "1.2.3.4"`,
		`spec.imagePullSecrets[1].name: duplicate name "s"`,
		`metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; use the "seccompProfile" field instead`,
		`metadata.annotations[container.seccomp.security.alpha.kubernetes.io/c]: non-functional in v1.27+; use the "seccompProfile" field instead`,
		`spec.containers[0].env[1]: hides previous definition of "A", which may be dropped when using apply`,
		`spec.containers[0].ports[1]: duplicate port definition with spec.containers[0].ports[0]`,
		`spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector: a null labelSelector results in matching no pod`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings in this order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
