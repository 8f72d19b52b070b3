package pod

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/minipod/minipod/pkg/podspec"
)

// describeVolumes prints the pod's volumes as kubectl describe does
// (describeVolumes and its print*VolumeSource), from the stored manifest.
// A pod whose manifest cannot be read (nil) has no section: describe
// shows what the state record has, and the record does not hold volumes.
func describeVolumes(out io.Writer, p *podspec.Pod) {
	if p == nil {
		return
	}
	if len(p.Spec.Volumes) == 0 {
		fmt.Fprintln(out, "Volumes:  <none>")
		return
	}
	fmt.Fprintln(out, "Volumes:")
	for _, v := range p.Spec.Volumes {
		fmt.Fprintf(out, "  %s:\n", v.Name)
		// kubectl's padding of 2; each volume's lines align on their own.
		w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
		describeVolumeSource(w, &v)
		w.Flush()
	}
}

func describeVolumeSource(w io.Writer, v *podspec.Volume) {
	switch {
	case v.HostPath != nil:
		fmt.Fprintf(w, "    Type:\tHostPath (bare host directory volume)\n    Path:\t%s\n    HostPathType:\t%s\n",
			v.HostPath.Path, v.HostPath.TypeOrUnset())
	case v.EmptyDir != nil:
		limit := "<unset>"
		if n, err := podspec.QuantityBytes(v.EmptyDir.SizeLimit); err == nil && n > 0 {
			limit = podspec.CanonicalQuantity(v.EmptyDir.SizeLimit)
		}
		fmt.Fprintf(w, "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t%s\n    SizeLimit:\t%s\n",
			v.EmptyDir.Medium, limit)
	case v.ConfigMap != nil:
		fmt.Fprintf(w, "    Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t%s\n    Optional:\t%t\n",
			v.ConfigMap.Name, isSet(v.ConfigMap.Optional))
	case v.Secret != nil:
		fmt.Fprintf(w, "    Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t%s\n    Optional:\t%t\n",
			v.Secret.SecretName, isSet(v.Secret.Optional))
	case v.PersistentVolumeClaim != nil:
		fmt.Fprintf(w, "    Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t%s\n    ReadOnly:\t%t\n",
			v.PersistentVolumeClaim.ClaimName, v.PersistentVolumeClaim.ReadOnly)
	case v.DownwardAPI != nil:
		fmt.Fprintf(w, "    Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
		describeDownwardItems(w, v.DownwardAPI.Items)
	case v.Projected != nil:
		describeProjected(w, v.Projected)
	case v.Image != nil:
		fmt.Fprintf(w, "    Type:\tImage (a container image or OCI artifact)\n    Reference:\t%s\n    PullPolicy:\t%s\n",
			v.Image.Reference, v.Image.PullPolicy)
	default:
		fmt.Fprintln(w, "  <unknown>")
	}
}

// describeDownwardItems prints "field -> path" per item, as kubectl.
func describeDownwardItems(w io.Writer, items []podspec.DownwardAPIVolumeFile) {
	for _, it := range items {
		switch {
		case it.FieldRef != nil:
			fmt.Fprintf(w, "      %s -> %s\n", it.FieldRef.FieldPath, it.Path)
		case it.ResourceFieldRef != nil:
			fmt.Fprintf(w, "      %s -> %s\n", it.ResourceFieldRef.Resource, it.Path)
		}
	}
}

// describeProjected prints each source's name, as kubectl does (its
// Optional fields print as Go prints a nil or set *bool's value).
func describeProjected(w io.Writer, p *podspec.ProjectedVolumeSource) {
	fmt.Fprintf(w, "    Type:\tProjected (a volume that contains injected data from multiple sources)\n")
	for _, src := range p.Sources {
		switch {
		case src.Secret != nil:
			fmt.Fprintf(w, "    SecretName:\t%s\n    SecretOptionalName:\t%s\n", src.Secret.Name, optional(src.Secret.Optional))
		case src.DownwardAPI != nil:
			fmt.Fprintf(w, "    DownwardAPI:\ttrue\n")
		case src.ConfigMap != nil:
			fmt.Fprintf(w, "    ConfigMapName:\t%s\n    ConfigMapOptional:\t%s\n", src.ConfigMap.Name, optional(src.ConfigMap.Optional))
		}
	}
}

func optional(b *bool) string {
	if b == nil {
		return "<nil>"
	}
	return fmt.Sprint(*b)
}

func isSet(b *bool) bool { return b != nil && *b }

// volumeMountsOf is each container's volumeMounts by name; none without a
// manifest.
func volumeMountsOf(p *podspec.Pod) map[string][]podspec.VolumeMount {
	out := map[string][]podspec.VolumeMount{}
	if p == nil {
		return out
	}
	for _, c := range append(append([]podspec.Container{}, p.Spec.InitContainers...), p.Spec.Containers...) {
		out[c.Name] = c.VolumeMounts
	}
	return out
}

// writeMounts prints a container's volumeMounts as kubectl describe does
// (describeContainerVolumes): by mount path, "(ro)" or "(rw)" as the
// volumeMount says (an image volume's "rw" mount is read-only all the
// same, as in kubectl's output), and the subPath.
func writeMounts(w io.Writer, vms []podspec.VolumeMount) {
	if len(vms) == 0 {
		fmt.Fprintf(w, "    Mounts:\t<none>\n")
		return
	}
	fmt.Fprintf(w, "    Mounts:\n")
	sorted := slices.Clone(vms)
	slices.SortStableFunc(sorted, func(a, b podspec.VolumeMount) int { return strings.Compare(a.MountPath, b.MountPath) })
	for _, vm := range sorted {
		flags := "rw"
		if vm.ReadOnly {
			flags = "ro"
		}
		if vm.SubPath != "" {
			flags += fmt.Sprintf(",path=%q", vm.SubPath)
		}
		fmt.Fprintf(w, "      %s from %s (%s)\n", vm.MountPath, vm.Name, flags)
	}
}
