package podspec

import "testing"

const csc = "spec.containers[0].securityContext"

func podSC(sc m) []byte { return podWith(edit{"spec.securityContext", sc}) }
func ctrSC(sc m) []byte { return podWith(edit{csc, sc}) }

// securityErrorCases: the API server's securityContext rules with its
// paths and wording, the kubelet's sysctl admission, and what minipod
// refuses because it cannot apply it.
var securityErrorCases = []struct {
	name string
	data []byte
	want []string
}{
	{"runAsUser negative", podSC(m{"runAsUser": -1}),
		l2(`spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive`)},
	{"runAsGroup too large", podSC(m{"runAsGroup": int64(1) << 31}),
		l2(`spec.securityContext.runAsGroup: Invalid value: 2147483648: must be between 0 and 2147483647, inclusive`)},
	{"fsGroup negative", podSC(m{"fsGroup": -5}),
		l2(`spec.securityContext.fsGroup: Invalid value: -5: must be between 0 and 2147483647, inclusive`)},
	{"supplementalGroups", podSC(m{"supplementalGroups": l{1, -1, int64(1) << 40}}),
		l2(`spec.securityContext.supplementalGroups[1]: Invalid value: -1: must be between 0 and 2147483647, inclusive`,
			`spec.securityContext.supplementalGroups[2]: Invalid value: 1099511627776: must be between 0 and 2147483647, inclusive`)},
	{"container runAsUser", ctrSC(m{"runAsUser": int64(1) << 32, "runAsGroup": -1}),
		l2(csc+`.runAsUser: Invalid value: 4294967296: must be between 0 and 2147483647, inclusive`,
			csc+`.runAsGroup: Invalid value: -1: must be between 0 and 2147483647, inclusive`)},
	{"supplementalGroupsPolicy", podSC(m{"supplementalGroupsPolicy": "Loose"}),
		l2(`spec.securityContext.supplementalGroupsPolicy: Unsupported value: "Loose": supported values: "Merge", "Strict"`)},
	{"fsGroupChangePolicy", podSC(m{"fsGroupChangePolicy": "Never"}),
		l2(`spec.securityContext.fsGroupChangePolicy: Unsupported value: "Never": supported values: "Always", "OnRootMismatch"`)},
	{"seLinuxChangePolicy", podSC(m{"seLinuxChangePolicy": "Relabel"}),
		l2(`spec.securityContext.seLinuxChangePolicy: Unsupported value: "Relabel": supported values: "MountOption", "Recursive"`)},
	{"procMount unknown", ctrSC(m{"procMount": "Masked"}),
		l2(csc + `.procMount: Unsupported value: "Masked": supported values: "Default", "Unmasked"`)},
	{"procMount Unmasked with host users", ctrSC(m{"procMount": "Unmasked"}),
		l2(csc + ".procMount: Invalid value: \"Unmasked\": `hostUsers` must be false to use `Unmasked`")},
	{"no escalation but privileged", ctrSC(m{"allowPrivilegeEscalation": false, "privileged": true}),
		l2(csc + `: Invalid value: {"privileged":true,"allowPrivilegeEscalation":false}: cannot set ` + "`allowPrivilegeEscalation` to false and `privileged` to true")},
	{"no escalation but CAP_SYS_ADMIN", ctrSC(m{"allowPrivilegeEscalation": false, "capabilities": m{"add": l{"CAP_SYS_ADMIN"}}}),
		l2(csc + `: Invalid value: {"capabilities":{"add":["CAP_SYS_ADMIN"]},"allowPrivilegeEscalation":false}: cannot set ` +
			"`allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN")},
	{"unknown capability", ctrSC(m{"capabilities": m{"add": l{"NET_ADMIN", "CAP_FLY"}, "drop": l{"", "all"}}}),
		l2(csc+`.capabilities.add[1]: Invalid value: "CAP_FLY": not a Linux capability: write one such as NET_ADMIN or CAP_NET_ADMIN, or ALL`,
			csc+`.capabilities.drop[0]: Invalid value: "": not a Linux capability`)},
	{"init container capability", podWith(edit{"spec.initContainers", l{m{"name": "i", "image": "x", "securityContext": m{"capabilities": m{"drop": l{"CAP_CAP_KILL"}}}}}}),
		l2(`spec.initContainers[0].securityContext.capabilities.drop[0]: Invalid value: "CAP_CAP_KILL": not a Linux capability`)},
	// AppArmor fields.
	{"appArmor type required", podSC(m{"appArmorProfile": m{}}),
		l2(`spec.securityContext.appArmorProfile.type: Required value: type is required when appArmorProfile is set`)},
	{"appArmor type unknown", ctrSC(m{"appArmorProfile": m{"type": "Strict"}}),
		l2(csc + `.appArmorProfile.type: Unsupported value: "Strict": supported values: "Localhost", "RuntimeDefault", "Unconfined"`)},
	{"appArmor localhostProfile without Localhost", ctrSC(m{"appArmorProfile": m{"type": "RuntimeDefault", "localhostProfile": "p"}}),
		l2(csc + `.appArmorProfile.localhostProfile: Invalid value: "p": can only be set when AppArmor type is Localhost`)},
	{"appArmor Localhost without a profile", podSC(m{"appArmorProfile": m{"type": "Localhost"}}),
		l2(`spec.securityContext.appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost`)},
	{"appArmor Localhost padded", podSC(m{"appArmorProfile": m{"type": "Localhost", "localhostProfile": " p"}}),
		l2(`spec.securityContext.appArmorProfile.localhostProfile: Invalid value: " p": must not be padded with whitespace`)},
	{"appArmor Localhost refused", ctrSC(m{"appArmorProfile": m{"type": "Localhost", "localhostProfile": "k8s-nginx"}}),
		l2(csc + `.appArmorProfile.type: not supported: "Localhost": this node has no AppArmor to load a profile into`)},
	// Host namespaces.
	{"shareProcessNamespace with hostPID", podWith(edit{"spec.hostPID", true}, edit{"spec.shareProcessNamespace", true}),
		l2(`spec.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled`)},
	{"host namespaces in a user namespace", podWith(edit{"spec.hostUsers", false}, edit{"spec.hostNetwork", true}, edit{"spec.hostPID", true}, edit{"spec.hostIPC", true}),
		l2("spec.hostNetwork: Forbidden: when `hostUsers` is false", "spec.HostPID: Forbidden: when `hostUsers` is false", "spec.HostIPC: Forbidden: when `hostUsers` is false")},
}

func TestSecurityErrors(t *testing.T) {
	for _, tc := range securityErrorCases {
		t.Run(tc.name, func(t *testing.T) { expectErrorLines(t, tc.data, tc.want) })
	}
}

// acceptedEdgeCases: values at the edges of the rules, which must pass
// and which Kubernetes' types must decode (they are among validCases).
func acceptedEdgeCases() map[string][]byte {
	return map[string][]byte{
		"IDs at their limits": podWith(edit{"spec.securityContext", m{"runAsUser": 0, "runAsGroup": 2147483647, "fsGroup": 0,
			"supplementalGroups": l{0, 2147483647}}}, edit{csc, m{"runAsUser": 2147483647}}),
		"no escalation with SYS_ADMIN written without CAP_ (the API server checks the exact string)": ctrSC(m{
			"allowPrivilegeEscalation": false, "capabilities": m{"add": l{"SYS_ADMIN"}}}),
		"privileged may escalate":                ctrSC(m{"privileged": true, "allowPrivilegeEscalation": true}),
		"not privileged, no escalation":          ctrSC(m{"privileged": false, "allowPrivilegeEscalation": false}),
		"capabilities in every spelling":         ctrSC(m{"capabilities": m{"add": l{"ALL", "all", "cap_chown", "Net_Raw", "CAP_BPF"}, "drop": l{"CHECKPOINT_RESTORE"}}}),
		"procMount Default":                      ctrSC(m{"procMount": "Default"}),
		"procMount Unmasked in a user namespace": podWith(edit{"spec.hostUsers", false}, edit{csc, m{"procMount": "Unmasked"}}),
		"appArmor RuntimeDefault":                ctrSC(m{"appArmorProfile": m{"type": "RuntimeDefault"}}),
		"appArmor Unconfined":                    podSC(m{"appArmorProfile": m{"type": "Unconfined"}}),
		"shareProcessNamespace false, hostPID":   podWith(edit{"spec.hostPID", true}, edit{"spec.shareProcessNamespace", false}),
		"seLinuxChangePolicy MountOption":        podSC(m{"seLinuxChangePolicy": "MountOption"}),
		"apparmor annotations":                   annotated(m{aaKey + "c": "runtime/default", aaKey + "i": "unconfined"}, edit{"spec.initContainers", l{m{"name": "i", "image": "x"}}}),
		"every safe sysctl":                      sysctlPod(safeSysctls...),
		"a null quantity":                        res(nil, m{"cpu": nil, "memory": "1Gi"}),
		"resources of every kind": res(m{"cpu": "250m", "memory": "64Mi", "ephemeral-storage": "1Gi"},
			m{"cpu": "1", "memory": "128Mi", "ephemeral-storage": "2Gi", "hugepages-2Mi": "4Mi", "hugepages-1Gi": "1Gi", "example.com/foo": 3}),
	}
}
