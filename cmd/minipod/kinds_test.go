package main

import (
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/store"
)

func TestSplitKind(t *testing.T) {
	for _, c := range []struct {
		args  []string
		kind  *store.Kind
		names string
		err   string
	}{
		{args: []string{"web", "db"}, names: "web db"},
		{args: []string{"pods", "web"}, names: "web"},
		{args: []string{"cm", "a", "b"}, kind: &store.ConfigMaps, names: "a b"},
		{args: []string{"secret/a", "secrets/b"}, kind: &store.Secrets, names: "a b"},
		{args: []string{"PVC", "data"}, kind: &store.Claims, names: "data"},
		{args: []string{"pod/pv"}, names: "pv"},
		{args: []string{"pv", "task-pv-volume"}, err: "minipod keeps no persistentvolumes"},
		{args: []string{"svc/web"}, kind: &store.Services, names: "web"},
		{args: []string{"deploy/web"}, err: "minipod keeps no deployments"},
		{args: []string{"cm/a", "secret/b"}, err: "one kind at a time"},
		{args: []string{"cm/a", "b"}, err: "resource/name form"},
		{args: []string{"widget/a"}, err: `doesn't have a resource type "widget"`},
	} {
		kind, names, err := splitKind(c.args)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.err)
			}
		case err != nil:
			t.Errorf("%v: %v", c.args, err)
		case kind != c.kind && (kind == nil || c.kind == nil || *kind != *c.kind):
			t.Errorf("%v: kind %v, want %v", c.args, kind, c.kind)
		case strings.Join(names, " ") != c.names:
			t.Errorf("%v: names %q, want %q", c.args, names, c.names)
		}
	}
}
