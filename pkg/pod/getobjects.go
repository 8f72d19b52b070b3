package pod

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/store"
)

// GetObjects lists ConfigMaps, Secrets or claims as `kubectl get KIND`
// does: a table, or the objects as -o json|yaml.
func GetObjects(k store.Kind, names []string, output string, out io.Writer) error {
	if output != "" && output != "json" && output != "yaml" && output != "wide" {
		return fmt.Errorf("get: unknown output format %q (want wide, json or yaml)", output)
	}
	s := store.New(roots)
	all, err := s.List(k, podspec.DefaultNamespace)
	if err != nil {
		return err
	}
	ents, err := pick(k, all, names)
	if err != nil {
		return err
	}
	if output == "json" || output == "yaml" {
		return printObjects(out, k, ents, len(names) == 1, output)
	}
	if len(ents) == 0 {
		_, err := fmt.Fprintln(os.Stderr, "No resources found in default namespace.")
		return err
	}
	w := tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	fmt.Fprintln(w, header(k))
	now := time.Now()
	for _, e := range ents {
		fmt.Fprintln(w, row(s, k, e, now))
	}
	return w.Flush()
}

// pick keeps the named entries, in the order named; a missing one is an
// error after the others, as kubectl reports it.
func pick(k store.Kind, all []store.Entry, names []string) ([]store.Entry, error) {
	if len(names) == 0 {
		return all, nil
	}
	var out []store.Entry
	var errs []error
	for _, n := range names {
		found := false
		for _, e := range all {
			if e.Name == n {
				out, found = append(out, e), true
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("%s %q not found", k.Plural, n))
		}
	}
	return out, errors.Join(errs...)
}

func header(k store.Kind) string {
	switch k {
	case store.ConfigMaps:
		return "NAME\tDATA\tAGE"
	case store.Secrets:
		return "NAME\tTYPE\tDATA\tAGE"
	case store.Services:
		return "NAME\tTYPE\tCLUSTER-IP\tEXTERNAL-IP\tPORT(S)\tAGE"
	}
	return "NAME\tSTATUS\tVOLUME\tCAPACITY\tACCESS MODES\tSTORAGECLASS\tVOLUMEATTRIBUTESCLASS\tAGE"
}

func row(s store.Store, k store.Kind, e store.Entry, now time.Time) string {
	age := "<unknown>"
	if t, err := time.Parse(time.RFC3339, e.Meta.CreationTimestamp); err == nil {
		age = podstatus.HumanDuration(now.Sub(t))
	}
	switch o := e.Object.(type) {
	case *podspec.ConfigMap:
		return fmt.Sprintf("%s\t%d\t%s", e.Name, len(o.Data)+len(o.BinaryData), age)
	case *podspec.Secret:
		return fmt.Sprintf("%s\t%s\t%d\t%s", e.Name, o.Type, len(o.Data), age)
	case *podspec.PersistentVolumeClaim:
		return claimRow(s, o, age)
	case *podspec.Service:
		return fmt.Sprintf("%s\t%s\t%s\t<none>\t%s\t%s", e.Name, o.Spec.Type, o.Spec.ClusterIP, servicePorts(o), age)
	}
	return e.Name
}

// claimRow: a claim is Pending until a pod first uses it (the local-path
// provisioner's WaitForFirstConsumer), then Bound to its volume.
func claimRow(s store.Store, c *podspec.PersistentVolumeClaim, age string) string {
	status, volume, capacity, modes := "Pending", "", "", ""
	if dir, err := s.ClaimDir(c); err == nil {
		if _, err := os.Stat(dir); err == nil {
			status, volume, capacity = "Bound", "pvc-"+c.UID, c.Spec.Resources.Requests["storage"]
			modes = shortModes(c.Spec.AccessModes)
		}
	}
	class := ""
	if c.Spec.StorageClassName != nil {
		class = *c.Spec.StorageClassName
	}
	return fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", c.Name, status, volume, capacity, modes, class, "<unset>", age)
}

func shortModes(modes []string) string {
	short := map[string]string{"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
	var out []string
	for _, m := range modes {
		out = append(out, short[m])
	}
	return strings.Join(out, ",")
}

// printObjects prints the objects (one, or a v1 List) as JSON or YAML,
// with their kind and apiVersion; a Secret's data is base64, as the API
// gives it.
func printObjects(out io.Writer, k store.Kind, ents []store.Entry, one bool, format string) error {
	var items []any
	for _, e := range ents {
		items = append(items, withType(k, e.Object))
	}
	var v any = map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]any{"resourceVersion": ""}, "items": items}
	if one && len(items) == 1 {
		v = items[0]
	}
	if format == "yaml" {
		b, err := marshalYAML(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", k.Plural, err)
		}
		_, err = out.Write(b)
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "    ")
	return enc.Encode(v)
}

// withType gives a stored object its kind and apiVersion back.
func withType(k store.Kind, obj any) any {
	b, _ := json.Marshal(obj)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	m["apiVersion"], m["kind"] = "v1", k.Kind
	return m
}

// servicePorts is kubectl's PORT(S): 80/TCP, or 80:30080/TCP with a node
// port.
func servicePorts(svc *podspec.Service) string {
	var out []string
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 {
			out = append(out, fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol))
		} else {
			out = append(out, fmt.Sprintf("%d/%s", p.Port, p.Protocol))
		}
	}
	if len(out) == 0 {
		return "<none>"
	}
	return strings.Join(out, ",")
}
