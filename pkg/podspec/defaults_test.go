package podspec

import "testing"

func TestPodDefaults(t *testing.T) {
	p := mustParsePod(t, podWith(
		edit{"spec.containers[0].ports", []any{map[string]any{"containerPort": 80}}},
		edit{"spec.containers[0].env", []any{map[string]any{"name": "N",
			"valueFrom": map[string]any{"fieldRef": map[string]any{"fieldPath": "metadata.name"}}}}},
		edit{"spec.volumes", []any{
			map[string]any{"name": "bare"},
			map[string]any{"name": "cm", "configMap": map[string]any{"name": "x", "optional": true}},
		}},
	))
	c := p.Spec.Containers[0]
	checks := []struct {
		name      string
		got, want any
	}{
		{"namespace", p.Namespace, "default"},
		{"restartPolicy", p.Spec.RestartPolicy, "Always"},
		{"terminationGracePeriodSeconds", *p.Spec.TerminationGracePeriodSeconds, int64(30)},
		{"dnsPolicy", p.Spec.DNSPolicy, "ClusterFirst"},
		{"schedulerName", p.Spec.SchedulerName, "default-scheduler"},
		{"enableServiceLinks", *p.Spec.EnableServiceLinks, true},
		{"securityContext", string(mustJSON(p.Spec.SecurityContext)), "{}"},
		{"serviceAccountName", p.Spec.ServiceAccountName, "default"},
		{"serviceAccount", p.Spec.DeprecatedServiceAccount, "default"},
		{"imagePullPolicy", c.ImagePullPolicy, "Always"},
		{"terminationMessagePath", c.TerminationMessagePath, "/dev/termination-log"},
		{"terminationMessagePolicy", c.TerminationMessagePolicy, "File"},
		{"ports.protocol", c.Ports[0].Protocol, "TCP"},
		{"fieldRef.apiVersion", c.Env[0].ValueFrom.FieldRef.APIVersion, "v1"},
		{"volume without source", p.Spec.Volumes[0].EmptyDir != nil, true},
		{"configMap.defaultMode", *p.Spec.Volumes[1].ConfigMap.DefaultMode, int32(420)},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if p.UID != "" {
		t.Errorf("uid %q was defaulted; only AssignUIDs gives one", p.UID)
	}
}

// TestServiceAccountDefaults: the deprecated alias names the account when
// the name is not given, the name wins over it, and the alias is always
// the name, as the API server stores a pod.
func TestServiceAccountDefaults(t *testing.T) {
	cases := []struct {
		name, alias string
		want        string
	}{
		{"", "", "default"},
		{"", "robot", "robot"},
		{"robot", "", "robot"},
		{"robot", "other", "robot"},
	}
	for _, c := range cases {
		var edits []edit
		if c.name != "" {
			edits = append(edits, edit{"spec.serviceAccountName", c.name})
		}
		if c.alias != "" {
			edits = append(edits, edit{"spec.serviceAccount", c.alias})
		}
		p := mustParsePod(t, podWith(edits...))
		if p.Spec.ServiceAccountName != c.want || p.Spec.DeprecatedServiceAccount != c.want {
			t.Errorf("serviceAccountName %q, serviceAccount %q: got %q and %q, want %q for both",
				c.name, c.alias, p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount, c.want)
		}
	}
}

func TestDefaultsKeepExplicitValues(t *testing.T) {
	p := mustParsePod(t, podWith(
		edit{"metadata.uid", "0b7c1e2a-1111-4222-8333-444455556666"},
		edit{"metadata.namespace", "ns1"},
		edit{"spec.restartPolicy", "Never"},
		edit{"spec.terminationGracePeriodSeconds", 0},
		edit{"spec.enableServiceLinks", false},
		edit{"spec.containers[0].imagePullPolicy", "Never"},
	))
	if p.UID != "0b7c1e2a-1111-4222-8333-444455556666" || p.Namespace != "ns1" || p.Spec.RestartPolicy != "Never" ||
		*p.Spec.TerminationGracePeriodSeconds != 0 || *p.Spec.EnableServiceLinks ||
		p.Spec.Containers[0].ImagePullPolicy != "Never" {
		t.Errorf("explicit values overwritten: %+v", p)
	}
}

func TestDefaultPullPolicy(t *testing.T) {
	cases := map[string]string{
		"busybox":                        "Always",
		"busybox:latest":                 "Always",
		"busybox:1.36":                   "IfNotPresent",
		"localhost:5000/busybox":         "Always",
		"localhost:5000/busybox:v1":      "IfNotPresent",
		"busybox@sha256:abc":             "IfNotPresent",
		"busybox:latest@sha256:abc":      "Always",
		"docker.io/library/nginx:alpine": "IfNotPresent",
	}
	for image, want := range cases {
		if got := defaultPullPolicy(image); got != want {
			t.Errorf("defaultPullPolicy(%q) = %q, want %q", image, got, want)
		}
	}
}

func TestHostNetworkDefaultsHostPort(t *testing.T) {
	p := mustParsePod(t, podWith(edit{"spec.hostNetwork", true}, edit{"spec.containers[0].ports", l{m{"containerPort": 8080}}}))
	if got := p.Spec.Containers[0].Ports[0].HostPort; got != 8080 {
		t.Errorf("hostPort = %d, want the containerPort 8080", got)
	}
}

func TestServiceAccountNameChecked(t *testing.T) {
	expectError(t, podWith(edit{"spec.serviceAccountName", "Bad_Name"}),
		`spec.serviceAccountName: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain`)
	if _, warns := mustParse(t, podWith(edit{"spec.serviceAccountName", "robot"})); len(warns) != 0 {
		t.Errorf("warnings %q for a service account name, want none (the downward API uses it)", warns)
	}
}
