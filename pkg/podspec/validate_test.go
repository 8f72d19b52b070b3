package podspec

import (
	"strings"
	"testing"
)

var validationCases = []struct {
	name string
	data []byte
	want string
}{
	{"name required", podWith(edit{"metadata.name", nil}), "metadata.name: Required value"},
	{"name path-like", podWith(edit{"metadata.name", "../x"}), `metadata.name: Invalid value: "../x": a lowercase RFC 1123 subdomain`},
	{"name uppercase", podWith(edit{"metadata.name", "Web"}), `metadata.name: Invalid value: "Web"`},
	{"name too long", podWith(edit{"metadata.name", strings.Repeat("a", 254)}), "must be no more than 253 characters"},
	{"namespace", podWith(edit{"metadata.namespace", "a.b"}), `metadata.namespace: Invalid value: "a.b"`},
	{"label key", podWith(edit{"metadata.labels", m{"-bad": "x"}}), `metadata.labels: Invalid value: "-bad"`},
	{"label value", podWith(edit{"metadata.labels", m{"app": "no spaces"}}), `metadata.labels[app]: Invalid value: "no spaces"`},
	{"annotation key", podWith(edit{"metadata.annotations", m{"a/b/c": "x"}}), `metadata.annotations: Invalid value: "a/b/c"`},
	{"no containers", podWith(edit{"spec.containers", l{}}), "spec.containers: Required value"},
	{"container name", podWith(edit{"spec.containers[0].name", "Web_1"}), `spec.containers[0].name: Invalid value: "Web_1"`},
	{"container name missing", podWith(edit{"spec.containers[0].name", nil}), "spec.containers[0].name: Required value"},
	{"container name duplicate across init", podWith(edit{"spec.initContainers", l{m{"name": "c", "image": "x"}}}),
		`spec.containers[0].name: Duplicate value: "c"`},
	{"hostPort range", podWith(edit{"spec.containers[0].ports", l{m{"containerPort": 80, "hostPort": 70000}}}), `spec.containers[0].ports[0].hostPort: Invalid value: "70000"`},
	{"hostPort duplicate", podWith(edit{"spec.containers[0].ports", l{m{"containerPort": 80, "hostPort": 8080}, m{"containerPort": 81, "hostPort": 8080}}}),
		`spec.containers[0].ports[1].hostPort: Duplicate value: "8080/TCP"`},
	{"hostPort with hostNetwork", podWith(edit{"spec.hostNetwork", true}, edit{"spec.containers[0].ports", l{m{"containerPort": 80, "hostPort": 8080}}}),
		"spec.containers[0].ports[0].hostPort: Invalid value: \"8080\": must match `containerPort` when `hostNetwork` is true"},
	{"image required", podWith(edit{"spec.containers[0].image", nil}), "spec.containers[0].image: Required value"},
	{"image whitespace", podWith(edit{"spec.containers[0].image", " busybox"}), `spec.containers[0].image: Invalid value: " busybox": must not have leading or trailing whitespace`},
	{"pull policy", podWith(edit{"spec.containers[0].imagePullPolicy", "Sometimes"}), `spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes"`},
	{"termination message policy", podWith(edit{"spec.containers[0].terminationMessagePolicy", "X"}), `terminationMessagePolicy: Unsupported value: "X"`},
	{"volume name", podWith(edit{"spec.volumes", l{m{"name": "Data"}}}), `spec.volumes[0].name: Invalid value: "Data"`},
	{"volume name required", podWith(edit{"spec.volumes", l{m{}}}), "spec.volumes[0].name: Required value"},
	{"volume duplicate", podWith(edit{"spec.volumes", l{m{"name": "v"}, m{"name": "v"}}}), `spec.volumes[1].name: Duplicate value: "v"`},
	{"two sources", podWith(edit{"spec.volumes", l{m{"name": "v", "emptyDir": m{}, "configMap": m{"name": "x", "optional": true}}}}),
		"spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"},
	{"mount unknown volume", podWith(edit{"spec.containers[0].volumeMounts", l{m{"name": "data", "mountPath": "/d"}}}),
		`spec.containers[0].volumeMounts[0].name: Not found: "data"`},
	{"mountPath required", mountCase(m{"name": "v"}), "spec.containers[0].volumeMounts[0].mountPath: Required value"},
	{"mountPath relative", mountCase(m{"name": "v", "mountPath": "data"}), `volumeMounts[0].mountPath: Invalid value: "data": must be an absolute path`},
	{"mountPath escaping", mountCase(m{"name": "v", "mountPath": "/../../etc"}), `volumeMounts[0].mountPath: Invalid value: "/../../etc": must not climb above the container root`},
	{"mountPath duplicate", mountCase(m{"name": "v", "mountPath": "/d"}, m{"name": "v", "mountPath": "/d"}),
		`volumeMounts[1].mountPath: Invalid value: "/d": must be unique`},
	{"subPath absolute", mountCase(m{"name": "v", "mountPath": "/d", "subPath": "/etc"}), `subPath: Invalid value: "/etc": must be a relative path`},
	{"subPath dotdot", mountCase(m{"name": "v", "mountPath": "/d", "subPath": "a/../../b"}), `subPath: Invalid value: "a/../../b": must not contain '..'`},
	{"containerPort zero", portCase(m{"containerPort": 0}), `ports[0].containerPort: Invalid value: "0": must be between 1 and 65535`},
	{"containerPort high", portCase(m{"containerPort": 70000}), `ports[0].containerPort: Invalid value: "70000"`},
	{"protocol", portCase(m{"containerPort": 80, "protocol": "HTTP"}), `ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`},
	{"port name", portCase(m{"containerPort": 80, "name": "web--1"}), `ports[0].name: Invalid value: "web--1"`},
	{"port name duplicate", portCase(m{"containerPort": 80, "name": "web"}, m{"containerPort": 81, "name": "web"}), `ports[1].name: Duplicate value: "web"`},
	{"hostIP", portCase(m{"containerPort": 80, "hostIP": "nope"}), `ports[0].hostIP: Invalid value: "nope"`},
	{"env name", envCase(m{"name": "A=B"}), `env[0].name: Invalid value: "A=B"`},
	{"env name empty", envCase(m{"value": "x"}), "env[0].name: Required value"},
	{"valueFrom with value", envCase(m{"name": "A", "value": "x", "valueFrom": m{"fieldRef": m{"fieldPath": "metadata.name"}}}),
		"env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"},
	{"valueFrom two sources", envCase(m{"name": "A", "valueFrom": m{"fieldRef": m{"fieldPath": "metadata.name"}, "configMapKeyRef": m{"name": "x", "key": "k", "optional": true}}}),
		"may not have more than one field specified at a time"},
	{"valueFrom empty", envCase(m{"name": "A", "valueFrom": m{}}), "env[0].valueFrom: Invalid value: \"\": must specify one of"},
	{"fieldRef path", envCase(m{"name": "A", "valueFrom": m{"fieldRef": m{"fieldPath": "spec.hostname"}}}),
		`env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "spec.hostname"`},
	{"fieldRef apiVersion", envCase(m{"name": "A", "valueFrom": m{"fieldRef": m{"apiVersion": "v2", "fieldPath": "metadata.name"}}}),
		`fieldRef.apiVersion: Unsupported value: "v2"`},
	{"secretKeyRef no key", envCase(m{"name": "A", "valueFrom": m{"secretKeyRef": m{"name": "s"}}}),
		`env[0].valueFrom.secretKeyRef.key: Required value`},
	{"secretKeyRef and configMapKeyRef", envCase(m{"name": "A", "valueFrom": m{"secretKeyRef": m{"name": "s", "key": "k"}, "configMapKeyRef": m{"name": "c", "key": "k"}}}),
		"may not have more than one field specified at a time"},
	{"envFrom both", podWith(edit{"spec.containers[0].envFrom", l{m{"configMapRef": m{"name": "a"}, "secretRef": m{"name": "b"}}}}),
		"envFrom[0]: Invalid value: \"\": may not have more than one field specified at a time"},
	{"envFrom secretRef no name", podWith(edit{"spec.containers[0].envFrom", l{m{"secretRef": m{}}}}),
		"envFrom[0].secretRef.name: Required value"},
	{"envFrom no source", podWith(edit{"spec.containers[0].envFrom", l{m{"prefix": "X_"}}}), "envFrom[0]: Invalid value: \"\": must specify one of"},
	{"secret volume no name", podWith(edit{"spec.volumes", l{m{"name": "v", "secret": m{}}}}), `spec.volumes[0].secret.secretName: Required value`},
	{"secret volume mode", podWith(edit{"spec.volumes", l{m{"name": "v", "secret": m{"secretName": "s", "defaultMode": 4096}}}}),
		`spec.volumes[0].secret.defaultMode: Invalid value: 4096`},
	{"claim volume bad name", podWith(edit{"spec.volumes", l{m{"name": "v", "persistentVolumeClaim": m{"claimName": "A_b"}}}}),
		`spec.volumes[0].persistentVolumeClaim.claimName: Invalid value: "A_b"`},
	{"two sources", podWith(edit{"spec.volumes", l{m{"name": "v", "emptyDir": m{}, "secret": m{"secretName": "s"}}}}),
		`spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type`},
	{"items path dotdot", cmVolumeCase(m{"key": "k", "path": "../p"}), `items[0].path: Invalid value: "../p": must not contain '..'`},
	{"items path absolute", cmVolumeCase(m{"key": "k", "path": "/p"}), `items[0].path: Invalid value: "/p": must be a relative path`},
	{"items path ..data", cmVolumeCase(m{"key": "k", "path": "..data"}), `items[0].path: Invalid value: "..data": must not start with '..'`},
	{"items path duplicate", cmVolumeCase(m{"key": "k", "path": "p"}, m{"key": "k", "path": "p"}), `items[1].path: Duplicate value: "p"`},
	{"items mode", cmVolumeCase(m{"key": "k", "path": "p", "mode": 512}), `items[0].mode: Invalid value: 512: must be a number between 0 and 0777`},
	{"defaultMode", podWith(edit{"spec.volumes", l{m{"name": "v", "configMap": m{"name": "x", "optional": true, "defaultMode": -1}}}}),
		`spec.volumes[0].configMap.defaultMode: Invalid value: -1`},
	{"emptyDir medium", podWith(edit{"spec.volumes", l{m{"name": "v", "emptyDir": m{"medium": "HugePages"}}}}),
		`spec.volumes[0].emptyDir.medium: Unsupported value: "HugePages": supported values: "", "Memory"`},
	{"emptyDir negative size", podWith(edit{"spec.volumes", l{m{"name": "v", "emptyDir": m{"sizeLimit": "-1Gi"}}}}),
		`spec.volumes[0].emptyDir.sizeLimit: Invalid value: "-1Gi"`},
	{"restartPolicy", podWith(edit{"spec.restartPolicy", "Sometimes"}),
		`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`},
	{"grace period", podWith(edit{"spec.terminationGracePeriodSeconds", -1}), `spec.terminationGracePeriodSeconds: Invalid value: "-1"`},
	{"hostname", podWith(edit{"spec.hostname", "a.b"}), `spec.hostname: Invalid value: "a.b"`},
	{"subdomain", podWith(edit{"spec.subdomain", "A"}), `spec.subdomain: Invalid value: "A"`},
	{"dnsPolicy None", podWith(edit{"spec.dnsPolicy", "None"}), "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"},
	{"dnsPolicy None, no nameserver", podWith(edit{"spec.dnsPolicy", "None"}, edit{"spec.dnsConfig", m{"searches": l{"a.b"}}}), "spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"},
	{"dnsConfig nameserver", podWith(edit{"spec.dnsConfig", m{"nameservers": l{"1.1.1.1", "dns.example"}}}), `spec.dnsConfig.nameservers[1]: Invalid value: "dns.example": must be a valid IP address`},
	{"dnsConfig nameservers", podWith(edit{"spec.dnsConfig", m{"nameservers": l{"1.1.1.1", "1.1.1.2", "1.1.1.3", "1.1.1.4"}}}), "spec.dnsConfig.nameservers: Invalid value: [1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4]: must not have more than 3 nameservers"},
	{"dnsConfig search", podWith(edit{"spec.dnsConfig", m{"searches": l{"Bad_Domain"}}}), `spec.dnsConfig.searches[0]: Invalid value: "Bad_Domain"`},
	{"dnsConfig option", podWith(edit{"spec.dnsConfig", m{"options": l{m{"value": "2"}}}}), "spec.dnsConfig.options[0].name: Required value"},
	{"hostAliases ip", podWith(edit{"spec.hostAliases", l{m{"ip": "foo", "hostnames": l{"a"}}}}), `spec.hostAliases[0].ip: Invalid value: "foo": must be valid IP address`},
	{"hostAliases name", podWith(edit{"spec.hostAliases", l{m{"ip": "1.2.3.4", "hostnames": l{"a b"}}}}), `spec.hostAliases[0].hostnames[0]: Invalid value: "a b"`},
	{"dnsPolicy unknown", podWith(edit{"spec.dnsPolicy", "Cluster"}), `spec.dnsPolicy: Unsupported value: "Cluster"`},
	{"requests name", podWith(edit{"spec.containers[0].resources.requests", m{"gpus": "1"}}), `resources.requests[gpus]: Invalid value: "gpus"`},
	{"requests negative", podWith(edit{"spec.containers[0].resources.requests", m{"cpu": "-1"}}), `resources.requests[cpu]: Invalid value: "-1"`},
	{"configmap key", withConfigMap(m{"data": m{"a b": "x"}}, podWith()), `ConfigMap "cm": data: Invalid value: "a b"`},
	{"configmap key in both", withConfigMap(m{"data": m{"k": "x"}, "binaryData": m{"k": "eA=="}}, podWith()),
		`binaryData: Invalid value: "k": duplicate of key present in data`},
	{"configmap name", withConfigMap(m{"metadata": m{"name": "Bad"}}, podWith()), `metadata.name: Invalid value: "Bad"`},
	{"two pods same name", append(append(podWith(), "\n---\n"...), podWith()...), `Pod "p": metadata.name: Duplicate value: "p"`},
	// metadata.uid becomes a path component.
	{"uid path", podWith(edit{"metadata.uid", "../../.."}), `metadata.uid: Invalid value: "../../..": must be a UUID`},
	{"uid short", podWith(edit{"metadata.uid", "abc"}), `metadata.uid: Invalid value: "abc": must be a UUID`},
	{"uid with slash", podWith(edit{"metadata.uid", "0b7c1e2a-1111-4222-8333-4444/5556666"}), `metadata.uid: Invalid value`},
	// Mounts over the kernel's interfaces.
	{"mountPath /proc", mountCase(m{"name": "v", "mountPath": "/proc"}), `volumeMounts[0].mountPath: Invalid value: "/proc": must not be in /proc or /sys`},
	{"mountPath /proc/sys/kernel", mountCase(m{"name": "v", "mountPath": "/proc/sys/kernel"}),
		`spec.containers[0].volumeMounts[0].mountPath: Invalid value: "/proc/sys/kernel": must not be in /proc or /sys`},
	{"mountPath /sys/", mountCase(m{"name": "v", "mountPath": "/sys/"}), `mountPath: Invalid value: "/sys/": must not be in /proc or /sys`},
	{"mountPath /sys/fs/cgroup", mountCase(m{"name": "v", "mountPath": "/sys/fs/cgroup"}), `mountPath: Invalid value: "/sys/fs/cgroup": must not be in /proc or /sys`},
	{"mountPath unclean", mountCase(m{"name": "v", "mountPath": "//proc/./self/../sys"}), `mountPath: Invalid value: "//proc/./self/../sys": must not be in /proc or /sys`},
	{"mountPath via dotdot", mountCase(m{"name": "v", "mountPath": "/x/../sys/kernel"}), `mountPath: Invalid value: "/x/../sys/kernel": must not be in /proc or /sys`},
	{"init mountPath", podWith(edit{"spec.volumes", l{m{"name": "v"}}}, edit{"spec.initContainers", l{m{"name": "i", "image": "x", "volumeMounts": l{m{"name": "v", "mountPath": "/proc/1"}}}}}),
		`spec.initContainers[0].volumeMounts[0].mountPath: Invalid value: "/proc/1"`},
	// seccompProfile, pod and container level, as Kubernetes validates it.
	{"seccomp type required", podWith(edit{"spec.securityContext", m{"seccompProfile": m{}}}),
		"spec.securityContext.seccompProfile.type: Required value: type is required when seccompProfile is set"},
	{"seccomp type unknown", podWith(edit{"spec.containers[0].securityContext", m{"seccompProfile": m{"type": "Strict"}}}),
		`spec.containers[0].securityContext.seccompProfile.type: Unsupported value: "Strict": supported values: "Localhost", "RuntimeDefault", "Unconfined"`},
	{"seccomp Localhost without profile", podWith(edit{"spec.securityContext", m{"seccompProfile": m{"type": "Localhost"}}}),
		"spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"},
	{"seccomp profile absolute", podWith(edit{"spec.containers[0].securityContext", m{"seccompProfile": m{"type": "Localhost", "localhostProfile": "/etc/p.json"}}}),
		`spec.containers[0].securityContext.seccompProfile.localhostProfile: Invalid value: "/etc/p.json": must be a relative path`},
	{"seccomp profile dotdot", podWith(edit{"spec.securityContext", m{"seccompProfile": m{"type": "Localhost", "localhostProfile": "a/../../p.json"}}}),
		`spec.securityContext.seccompProfile.localhostProfile: Invalid value: "a/../../p.json": must not contain '..'`},
	{"seccomp profile without Localhost", podWith(edit{"spec.securityContext", m{"seccompProfile": m{"type": "RuntimeDefault", "localhostProfile": "p.json"}}}),
		`spec.securityContext.seccompProfile.localhostProfile: Invalid value: "p.json": can only be set when seccomp type is Localhost`},
	{"init seccomp", podWith(edit{"spec.initContainers", l{m{"name": "i", "image": "x", "securityContext": m{"seccompProfile": m{"type": "x"}}}}}),
		`spec.initContainers[0].securityContext.seccompProfile.type: Unsupported value: "x"`},
	// Numbers Kubernetes range-checks in fields minipod only warns about.
	{"tolerationSeconds without NoExecute", podWith(edit{"spec.tolerations", l{m{"operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}}}),
		"spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"},
	{"maxSkew zero", spreadCase(m{"maxSkew": 0}), `spec.topologySpreadConstraints[0].maxSkew: Invalid value: "0": must be greater than zero`},
	{"maxSkew negative", spreadCase(m{"maxSkew": -2}), `spec.topologySpreadConstraints[0].maxSkew: Invalid value: "-2": must be greater than zero`},
	{"minDomains zero", spreadCase(m{"maxSkew": 1, "minDomains": 0}), `spec.topologySpreadConstraints[0].minDomains: Invalid value: "0": must be greater than zero`},
	{"minDomains with ScheduleAnyway", spreadCase(m{"maxSkew": 1, "minDomains": 2, "whenUnsatisfiable": "ScheduleAnyway"}),
		`spec.topologySpreadConstraints[0].minDomains: Invalid value: "2": can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`},
	// The API server validates overhead as a container's limits, and names it so.
	{"overhead negative", podWith(edit{"spec.overhead", m{"memory": "-1Mi"}}), `spec.overhead.limits[memory]: Invalid value: "-1Mi": must be greater than or equal to 0`},
	{"overhead name", podWith(edit{"spec.overhead", m{"gpus": "1"}}), `spec.overhead.limits[gpus]: Invalid value: "gpus": must be a standard resource type or fully qualified`},
	{"overhead storage", podWith(edit{"spec.overhead", m{"storage": "1"}}), `spec.overhead.limits[storage]: Invalid value: "storage": must be a standard resource for containers`},
	{"hostPort negative", portCase(m{"containerPort": 80, "hostPort": -1}), `ports[0].hostPort: Invalid value: "-1": must be between 1 and 65535, inclusive`},
	{"containerPort negative", portCase(m{"containerPort": -80}), `ports[0].containerPort: Invalid value: "-80": must be between 1 and 65535, inclusive`},
	{"mode above 0777", cmVolumeCase(m{"key": "k", "path": "p", "mode": 0o1000}), `items[0].mode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive`},
	{"defaultMode above 0777", podWith(edit{"spec.volumes", l{m{"name": "v", "configMap": m{"name": "x", "optional": true, "defaultMode": 0o4755}}}}),
		`spec.volumes[0].configMap.defaultMode: Invalid value: 2541: must be a number between 0 and 0777 (octal), both inclusive`},
	{"grace period most negative", podWith(edit{"spec.terminationGracePeriodSeconds", int64(-1) << 62}), `spec.terminationGracePeriodSeconds: Invalid value: "-4611686018427387904": must be greater than or equal to 0`},
	{"two configmaps same name", withConfigMap(m{}, withConfigMap(m{}, podWith())), `ConfigMap "cm": metadata.name: Duplicate value: "cm"`},
}

func mountCase(mounts ...any) []byte {
	return podWith(edit{"spec.volumes", l{m{"name": "v"}}}, edit{"spec.containers[0].volumeMounts", l(mounts)})
}

func spreadCase(c m) []byte {
	tsc := m{"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}
	for k, v := range c {
		tsc[k] = v
	}
	return podWith(edit{"spec.topologySpreadConstraints", l{tsc}})
}

func portCase(ports ...any) []byte { return podWith(edit{"spec.containers[0].ports", l(ports)}) }

func envCase(env ...any) []byte { return podWith(edit{"spec.containers[0].env", l(env)}) }

func cmVolumeCase(items ...any) []byte {
	return withConfigMap(m{"data": m{"k": "v"}},
		podWith(edit{"spec.volumes", l{m{"name": "v", "configMap": m{"name": "cm", "items": l(items)}}}}))
}

func TestValidationErrors(t *testing.T) {
	for _, tc := range validationCases {
		t.Run(tc.name, func(t *testing.T) { expectError(t, tc.data, tc.want) })
	}
}

func TestSinglePodErrorsHaveNoPrefix(t *testing.T) {
	_, _, err := Parse(podWith(edit{"spec.restartPolicy", "x"}))
	if err == nil || !strings.HasPrefix(err.Error(), "spec.restartPolicy:") {
		t.Fatalf("got %v", err)
	}
}

func TestAllErrorsReported(t *testing.T) {
	_, _, err := Parse(podWith(edit{"spec.restartPolicy", "x"}, edit{"spec.containers[0].image", nil}))
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("want two errors, got %v", err)
	}
}
