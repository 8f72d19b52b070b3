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
}

// splitKind reads kubectl's forms `KIND NAME...` and `KIND/NAME...`; plain
// names are pods, as minipod always took them. kind is nil for pods.
func splitKind(args []string) (kind *store.Kind, names []string, err error) {
	if len(args) == 0 {
		return nil, nil, nil
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
