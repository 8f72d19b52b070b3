package podspec

import "testing"

func TestRestartsAfter(t *testing.T) {
	never, onFailure, always := "Never", "OnFailure", "Always"
	on42 := []ContainerRestartRule{{Action: RestartActionRestart, ExitCodes: &ContainerRestartRuleOnExitCodes{Operator: "In", Values: []int32{42}}}}
	not0 := []ContainerRestartRule{{Action: RestartActionRestart, ExitCodes: &ContainerRestartRuleOnExitCodes{Operator: "NotIn", Values: []int32{0, 3}}}}
	cases := []struct {
		name   string
		c      Container
		code   int
		pod    string
		init   bool
		expect bool
	}{
		{"pod Always", Container{}, 0, always, false, true},
		{"pod OnFailure, success", Container{}, 0, onFailure, false, false},
		{"pod OnFailure, failure", Container{}, 1, onFailure, false, true},
		{"pod Never", Container{}, 1, never, false, false},
		{"own Never beats pod Always", Container{RestartPolicy: &never}, 1, always, false, false},
		{"own OnFailure beats pod Never", Container{RestartPolicy: &onFailure}, 2, never, false, true},
		{"own Always beats pod Never", Container{RestartPolicy: &always}, 0, never, false, true},
		{"rule In matches", Container{RestartPolicy: &never, RestartPolicyRules: on42}, 42, never, false, true},
		{"rule In misses: own policy", Container{RestartPolicy: &never, RestartPolicyRules: on42}, 0, always, false, false},
		{"rule NotIn matches", Container{RestartPolicy: &never, RestartPolicyRules: not0}, 1, never, false, true},
		{"rule NotIn misses", Container{RestartPolicy: &never, RestartPolicyRules: not0}, 3, never, false, false},
		{"init: pod Always is OnFailure", Container{}, 0, always, true, false},
		{"init: pod Always retries a failure", Container{}, 1, always, true, true},
		{"init: own Never fails the pod", Container{RestartPolicy: &never}, 1, always, true, false},
		{"init: own OnFailure in a Never pod", Container{RestartPolicy: &onFailure}, 1, never, true, true},
		{"sidecar always restarts", Container{RestartPolicy: &always}, 0, never, true, true},
		{"rule In 0 restarts a success", Container{RestartPolicy: &never, RestartPolicyRules: []ContainerRestartRule{{Action: RestartActionRestart, ExitCodes: &ContainerRestartRuleOnExitCodes{Operator: "In", Values: []int32{0}}}}}, 0, never, false, true},
		{"init success: rules not asked", Container{RestartPolicy: &never, RestartPolicyRules: []ContainerRestartRule{{Action: RestartActionRestart, ExitCodes: &ContainerRestartRuleOnExitCodes{Operator: "In", Values: []int32{0}}}}}, 0, always, true, false},
		{"init failure: rule matches", Container{RestartPolicy: &never, RestartPolicyRules: on42}, 42, never, true, true},
		{"no own policy: rules ignored", Container{RestartPolicyRules: on42}, 42, never, false, false},
		{"NotIn empty matches all", Container{RestartPolicy: &never, RestartPolicyRules: []ContainerRestartRule{{Action: RestartActionRestart, ExitCodes: &ContainerRestartRuleOnExitCodes{Operator: "NotIn"}}}}, 7, never, false, true},
	}
	for _, tc := range cases {
		if got := tc.c.RestartsAfter(tc.code, tc.pod, tc.init); got != tc.expect {
			t.Errorf("%s: RestartsAfter(%d) = %v, want %v", tc.name, tc.code, got, tc.expect)
		}
	}
}

func TestRestartsAfterProbeKill(t *testing.T) {
	never, onFailure, always := "Never", "OnFailure", "Always"
	for _, tc := range []struct {
		name   string
		c      Container
		pod    string
		init   bool
		expect bool
	}{
		{"pod Always", Container{}, always, false, true},
		{"pod OnFailure: whatever the exit code", Container{}, onFailure, false, true},
		{"pod Never", Container{}, never, false, false},
		{"own Never in an Always pod", Container{RestartPolicy: &never}, always, false, false},
		{"own OnFailure in a Never pod", Container{RestartPolicy: &onFailure}, never, false, true},
		{"sidecar in a Never pod", Container{RestartPolicy: &always}, never, true, true},
	} {
		if got := tc.c.RestartsAfterProbeKill(tc.pod, tc.init); got != tc.expect {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.expect)
		}
	}
}

// The API server's checks of restart rules (Kubernetes 1.35: container
// restart rules on, RestartAllContainers off), with its messages.
func TestRestartRuleErrors(t *testing.T) {
	rule := func(action string, exitCodes any) m {
		r := m{"action": action}
		if exitCodes != nil {
			r["exitCodes"] = exitCodes
		}
		return r
	}
	in42 := m{"operator": "In", "values": l{42}}
	many := func(n int, v any) l {
		out := l{}
		for range n {
			out = append(out, v)
		}
		return out
	}
	app := func(c m) edit { return edit{"spec.containers", l{c}} }
	init := func(c m) edit {
		c["name"] = "i"
		return edit{"spec.initContainers", l{c}}
	}
	c := func(kv ...any) m {
		out := m{"name": "c", "image": "busybox"}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	for _, tc := range []struct {
		name string
		edit edit
		want string
	}{
		{"rules need a policy", app(c("restartPolicyRules", l{rule("Restart", in42)})),
			"spec.containers[0].restartPolicy: Required value: must specify restartPolicy when restart rules are used"},
		{"action", app(c("restartPolicy", "Never", "restartPolicyRules", l{rule("RestartAllContainers", in42)})),
			`spec.containers[0].restartPolicyRules[0].action: Unsupported value: "RestartAllContainers": supported values: "Restart"`},
		{"exitCodes required", app(c("restartPolicy", "Never", "restartPolicyRules", l{rule("Restart", nil)})),
			"spec.containers[0].restartPolicyRules[0].exitCodes: Required value: must be specified"},
		{"operator", app(c("restartPolicy", "Never", "restartPolicyRules", l{rule("Restart", m{"operator": "Maybe", "values": l{1}})})),
			`spec.containers[0].restartPolicyRules[0].exitCodes.operator: Unsupported value: "Maybe": supported values: "In", "NotIn"`},
		{"21 rules", app(c("restartPolicy", "Never", "restartPolicyRules", many(21, rule("Restart", in42)))),
			"spec.containers[0].restartPolicyRules: Too long: may not be more than 20 bytes"},
		{"256 exit codes", app(c("restartPolicy", "Never", "restartPolicyRules", l{rule("Restart", m{"operator": "In", "values": many(256, 1)})})),
			"spec.containers[0].restartPolicyRules[0].exitCodes.values: Too long: may not be more than 255 bytes"},
		{"init rules checked", init(c("restartPolicy", "OnFailure", "restartPolicyRules", l{rule("Restart", nil)})),
			"spec.initContainers[0].restartPolicyRules[0].exitCodes: Required value: must be specified"},
		{"sidecar without rules", init(c("restartPolicy", "Always", "restartPolicyRules", l{rule("Restart", in42)})),
			"spec.initContainers[0].restartPolicyRules: Forbidden: restartPolicyRules are not allowed for init containers with restart policy Always"},
	} {
		t.Run(tc.name, func(t *testing.T) { expectError(t, podWith(tc.edit), tc.want) })
	}
	// An init container with rules and no policy gets that error alone:
	// its rules are not looked at.
	expectErrorLines(t, podWith(init(c("restartPolicyRules", l{rule("Bad", nil)}))),
		[]string{"spec.initContainers[0].restartPolicy: Required value: must specify restartPolicy when restart rules are used"})
	// What the API server does not check: duplicate, negative and empty
	// values, and NotIn 0.
	p := mustParsePod(t, podWith(app(c("restartPolicy", "OnFailure", "restartPolicyRules", l{
		rule("Restart", m{"operator": "In", "values": l{-5, -5, 2147483647}}),
		rule("Restart", m{"operator": "NotIn", "values": l{0}}),
		rule("Restart", m{"operator": "In", "values": l{}}),
	}))))
	if got := p.Spec.Containers[0].RestartPolicyRules; len(got) != 3 || got[0].ExitCodes.Values[2] != 2147483647 {
		t.Errorf("rules as parsed: %+v", got)
	}
	// Rules with an app container's own Always, and with a plain init
	// container's Never.
	mustParsePod(t, podWith(app(c("restartPolicy", "Always", "restartPolicyRules", l{rule("Restart", in42)})),
		init(c("restartPolicy", "Never", "restartPolicyRules", l{rule("Restart", m{"operator": "NotIn", "values": l{0}})}))))
}
