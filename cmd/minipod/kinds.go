package main

import (
	"fmt"
	"strings"

	"github.com/minipod/minipod/pkg/store"
)

// kindNames are the resource names kubectl takes for what minipod keeps.
var kindNames = map[string]*store.Kind{
	"pod": nil, "pods": nil, "po": nil,
	"configmap": &store.ConfigMaps, "configmaps": &store.ConfigMaps, "cm": &store.ConfigMaps,
	"secret": &store.Secrets, "secrets": &store.Secrets,
	"persistentvolumeclaim": &store.Claims, "persistentvolumeclaims": &store.Claims, "pvc": &store.Claims,
	"service": &store.Services, "services": &store.Services, "svc": &store.Services,
}

// notKept are kubectl's names of kinds minipod does not keep: as a first
// word they are an error, never a pod's name (`delete pv x` must not
// delete a pod named pv). A pod of such a name is `pod/NAME` or `pod NAME`.
var notKept = map[string]string{
	"pv": "persistentvolumes", "persistentvolume": "persistentvolumes", "persistentvolumes": "persistentvolumes",
	"deploy": "deployments", "deployment": "deployments", "deployments": "deployments",
	"rs": "replicasets", "replicaset": "replicasets", "replicasets": "replicasets",
	"sts": "statefulsets", "statefulset": "statefulsets", "statefulsets": "statefulsets",
	"ds": "daemonsets", "daemonset": "daemonsets", "daemonsets": "daemonsets",
	"job": "jobs", "jobs": "jobs", "cj": "cronjobs", "cronjob": "cronjobs", "cronjobs": "cronjobs",
	"ns": "namespaces", "namespace": "namespaces", "namespaces": "namespaces",
	"no": "nodes", "node": "nodes", "nodes": "nodes", "sa": "serviceaccounts", "serviceaccount": "serviceaccounts",
	"serviceaccounts": "serviceaccounts", "ing": "ingresses", "ingress": "ingresses", "ingresses": "ingresses",
	"ep": "endpoints", "endpoints": "endpoints", "all": "all",
}

// splitKind reads kubectl's forms `KIND NAME...` and `KIND/NAME...`; plain
// names are pods, as minipod always took them. kind is nil for pods.
func splitKind(args []string) (kind *store.Kind, names []string, err error) {
	if len(args) == 0 {
		return nil, nil, nil
	}
	first, _, _ := strings.Cut(strings.ToLower(args[0]), "/")
	if plural, ok := notKept[first]; ok {
		return nil, nil, fmt.Errorf("minipod keeps no %s: it runs pods and keeps configmaps, secrets, persistentvolumeclaims and services (a pod named %q is pod/%s)", plural, first, first)
	}
	if k, ok := kindNames[strings.ToLower(args[0])]; ok && !strings.Contains(args[0], "/") {
		return k, args[1:], nil
	}
	var seen *store.Kind
	typed := false
	for i, a := range args {
		kn, name, ok := strings.Cut(a, "/")
		if !ok {
			if typed {
				return nil, nil, fmt.Errorf("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form")
			}
			names = append(names, a)
			continue
		}
		k, known := kindNames[strings.ToLower(kn)]
		if !known {
			return nil, nil, fmt.Errorf("the server doesn't have a resource type %q", kn)
		}
		if i > 0 && !typed || typed && k != seen {
			return nil, nil, fmt.Errorf("give names of one kind at a time")
		}
		seen, typed = k, true
		names = append(names, name)
	}
	return seen, names, nil
}
