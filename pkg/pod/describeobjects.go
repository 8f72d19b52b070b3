package pod

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/services"
	"github.com/minipod/minipod/pkg/store"
)

// DescribeObject prints a ConfigMap, Secret or claim as `kubectl describe`
// does; a Secret's values are never printed, only their sizes.
func DescribeObject(k store.Kind, name string, out io.Writer) error {
	s := store.New(roots)
	e, err := s.Entry(k, podspec.DefaultNamespace, name)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintf(w, "Name:\t%s\nNamespace:\t%s\nLabels:\t%s\nAnnotations:\t%s\n", e.Name, e.Namespace, pairs(e.Meta.Labels), pairs(e.Meta.Annotations))
	switch o := e.Object.(type) {
	case *podspec.ConfigMap:
		w.Flush()
		describeConfigMapData(out, o)
	case *podspec.Secret:
		fmt.Fprintf(w, "\nType:\t%s\n\nData\n====\n", o.Type)
		for _, k := range slices.Sorted(maps.Keys(o.Data)) {
			fmt.Fprintf(w, "%s:\t%d bytes\n", k, len(o.Data[k]))
		}
	case *podspec.Service:
		describeService(w, o)
	case *podspec.PersistentVolumeClaim:
		row := strings.Split(claimRow(s, o, ""), "\t")
		fmt.Fprintf(w, "StorageClass:\t%s\nStatus:\t%s\nVolume:\t%s\nCapacity:\t%s\nAccess Modes:\t%s\nVolumeMode:\t%s\nUsed By:\t%s\n",
			row[5], row[1], row[2], row[3], row[4], *o.Spec.VolumeMode, orNone(strings.Join(claimUsers(o.Namespace, o.Name), ", ")))
	}
	fmt.Fprintf(w, "\nEvents:\t<none>\n")
	return w.Flush()
}

func describeConfigMapData(out io.Writer, cm *podspec.ConfigMap) {
	fmt.Fprint(out, "\nData\n====\n")
	for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
		fmt.Fprintf(out, "%s:\n----\n%s\n\n", k, cm.Data[k])
	}
	fmt.Fprint(out, "\nBinaryData\n====\n")
	for _, k := range slices.Sorted(maps.Keys(cm.BinaryData)) {
		fmt.Fprintf(out, "%s: %d bytes\n", k, len(cm.BinaryData[k]))
	}
}

// pairs prints labels or annotations as kubectl: one k=v a line, sorted.
func pairs(m map[string]string) string {
	if len(m) == 0 {
		return "<none>"
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return strings.Join(out, "\n\t")
}

// claimUsers names the pods mounting a claim.
func claimUsers(ns, name string) []string {
	var out []string
	pods, _ := roots.List()
	for _, pn := range pods {
		if p, err := roots.LoadManifest(pn); err == nil && p.Namespace == ns && usesClaim(p, name) {
			out = append(out, pn)
		}
	}
	return out
}

func usesClaim(p *podspec.Pod, claim string) bool {
	for _, v := range p.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim {
			return true
		}
	}
	return false
}

// describeService prints kubectl's lines for a Service, with each port's
// endpoints as the node has them now.
func describeService(w io.Writer, svc *podspec.Service) {
	sp := &svc.Spec
	fmt.Fprintf(w, "Selector:\t%s\nType:\t%s\nIP Family Policy:\t%s\nIP Families:\t%s\nIP:\t%s\nIPs:\t%s\n",
		orNone(strings.ReplaceAll(pairs(sp.Selector), "\n\t", ",")), sp.Type, *sp.IPFamilyPolicy, orNone(strings.Join(sp.IPFamilies, ",")),
		sp.ClusterIP, strings.Join(sp.ClusterIPs, ","))
	pods := services.Pods(roots)
	for _, p := range sp.Ports {
		name := p.Name
		if name == "" {
			name = "<unset>"
		}
		fmt.Fprintf(w, "Port:\t%s  %d/%s\nTargetPort:\t%s/%s\n", name, p.Port, p.Protocol, p.TargetPort.String(), p.Protocol)
		if p.NodePort != 0 {
			fmt.Fprintf(w, "NodePort:\t%s  %d/%s\n", name, p.NodePort, p.Protocol)
		}
		var eps []string
		for _, a := range services.Endpoints(svc, p, pods) {
			eps = append(eps, a.IP+":"+strconv.Itoa(int(a.Port)))
		}
		fmt.Fprintf(w, "Endpoints:\t%s\n", strings.Join(eps, ","))
	}
	fmt.Fprintf(w, "Session Affinity:\t%s\n", sp.SessionAffinity)
	if sp.ExternalTrafficPolicy != "" {
		fmt.Fprintf(w, "External Traffic Policy:\t%s\n", sp.ExternalTrafficPolicy)
	}
	fmt.Fprintf(w, "Internal Traffic Policy:\t%s\n", *sp.InternalTrafficPolicy)
}
