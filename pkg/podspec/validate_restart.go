package podspec

import "strconv"

// checkContainerRestartPolicy applies the API server's rules (v1.35, with
// container restart rules on by default) to a container's own
// restartPolicy and restartPolicyRules. An init container that sets Always
// is a native sidecar, which may have no rules; an init container with
// rules but no policy gets that one error alone.
func checkContainerRestartPolicy(_ *podContext, ctr *Container, path string) []error {
	if ctr.RestartPolicy == nil && len(ctr.RestartPolicyRules) == 0 {
		return nil
	}
	if isInitPath(path) {
		switch {
		case ctr.RestartPolicy == nil:
			return []error{required(path+".restartPolicy", restartRulesNeedPolicy)}
		case *ctr.RestartPolicy == "Always":
			if len(ctr.RestartPolicyRules) > 0 {
				return []error{forbidden(path+".restartPolicyRules", "restartPolicyRules are not allowed for init containers with restart policy Always")}
			}
			return nil
		}
	}
	return checkRestartRules(ctr, path)
}

const restartRulesNeedPolicy = "must specify restartPolicy when restart rules are used"

// Limits of the API server on restart rules.
const (
	maxRestartRules     = 20
	maxRestartExitCodes = 255
)

func checkRestartRules(ctr *Container, path string) []error {
	var errs errList
	p := path + ".restartPolicy"
	switch {
	case ctr.RestartPolicy == nil:
		errs.add(required(p, restartRulesNeedPolicy))
	case *ctr.RestartPolicy != "Always" && *ctr.RestartPolicy != "Never" && *ctr.RestartPolicy != "OnFailure":
		errs.add(unsupported(p, *ctr.RestartPolicy, "Always", "Never", "OnFailure"))
	}
	rp := path + ".restartPolicyRules"
	if len(ctr.RestartPolicyRules) > maxRestartRules {
		errs.add(tooLong(rp, maxRestartRules))
	}
	for i, r := range ctr.RestartPolicyRules {
		rule := rp + "[" + strconv.Itoa(i) + "]"
		if r.Action != RestartActionRestart {
			errs.add(unsupported(rule+".action", r.Action, RestartActionRestart))
		}
		if r.ExitCodes == nil {
			errs.add(required(rule+".exitCodes", "must be specified"))
			continue
		}
		if op := r.ExitCodes.Operator; op != "In" && op != "NotIn" {
			errs.add(unsupported(rule+".exitCodes.operator", op, "In", "NotIn"))
		}
		if len(r.ExitCodes.Values) > maxRestartExitCodes {
			errs.add(tooLong(rule+".exitCodes.values", maxRestartExitCodes))
		}
	}
	return errs
}
