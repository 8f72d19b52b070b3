package podspec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

const maxFileMode = 0o777

// checkVolumes: names are DNS labels (they become directory names) and
// unique; each volume has one source, and that source is valid.
func checkVolumes(c *podContext) []error {
	var errs errList
	seen := map[string]bool{}
	for i := range c.pod.Spec.Volumes {
		v := &c.pod.Spec.Volumes[i]
		path := fmt.Sprintf("spec.volumes[%d]", i)
		switch {
		case v.Name == "":
			errs.add(required(path+".name", ""))
		case dns1123Label(v.Name) != "":
			errs.add(invalid(path+".name", v.Name, dns1123Label(v.Name)))
		case seen[v.Name]:
			errs.add(duplicate(path+".name", v.Name))
		}
		seen[v.Name] = true
		errs.add(checkVolumeSource(c, v, path)...)
	}
	return errs
}

// volumeSources names the sources a volume sets, in the API's order.
func volumeSources(v *Volume) []string {
	var out []string
	for _, s := range []struct {
		name string
		set  bool
	}{
		{"emptyDir", v.EmptyDir != nil}, {"hostPath", present(v.HostPath)}, {"secret", v.Secret != nil},
		{"persistentVolumeClaim", v.PersistentVolumeClaim != nil}, {"downwardAPI", present(v.DownwardAPI)},
		{"configMap", v.ConfigMap != nil}, {"projected", present(v.Projected)}, {"image", v.Image != nil},
	} {
		if s.set {
			out = append(out, s.name)
		}
	}
	return out
}

// present tells a set source: a non-nil pointer, or raw JSON other than
// null.
func present(v any) bool {
	if raw, ok := v.(json.RawMessage); ok {
		return len(raw) > 0 && string(raw) != "null"
	}
	rv := reflect.ValueOf(v)
	return rv.IsValid() && !rv.IsNil()
}

func checkVolumeSource(c *podContext, v *Volume, path string) []error {
	switch set := volumeSources(v); {
	case len(set) == 0:
		return []error{required(path, "must specify a volume type")}
	case len(set) > 1:
		return []error{forbidden(path+"."+set[1], "may not specify more than 1 volume type")}
	}
	switch {
	case v.EmptyDir != nil:
		return checkEmptyDir(v.EmptyDir, path+".emptyDir")
	case v.Secret != nil:
		return checkSecretVolume(v.Secret, path+".secret")
	case v.PersistentVolumeClaim != nil:
		return checkClaimVolume(v.PersistentVolumeClaim, path+".persistentVolumeClaim")
	case v.HostPath != nil:
		return checkHostPath(v.HostPath, path+".hostPath")
	case v.DownwardAPI != nil:
		return checkDownwardAPIVolume(c, v.DownwardAPI, path+".downwardAPI")
	case v.Projected != nil:
		return checkProjectedVolume(c, v.Projected, path+".projected")
	case v.Image != nil:
		return checkImageVolume(v.Image, path+".image")
	}
	return checkConfigMapVolume(v.ConfigMap, path+".configMap")
}

func checkEmptyDir(e *EmptyDirVolumeSource, path string) []error {
	var errs errList
	if e.Medium != "" && e.Medium != "Memory" {
		errs.add(unsupported(path+".medium", e.Medium, "", "Memory"))
	}
	if e.SizeLimit != "" {
		if _, err := QuantityBytes(e.SizeLimit); err != nil {
			errs.add(invalid(path+".sizeLimit", e.SizeLimit, "must be a non-negative quantity of bytes"))
		}
	}
	errs.add(checkModeUpTo(e.Mode, path+".mode", 0o1777))
	return errs
}

// checkConfigMapVolume: a name, and items that make distinct relative
// paths. Whether the ConfigMap and its keys exist is the node's to find
// out when the pod starts (FailedMount), as the kubelet does.
func checkConfigMapVolume(src *ConfigMapVolumeSource, path string) []error {
	var errs errList
	errs.add(checkMode(src.DefaultMode, path+".defaultMode"))
	if src.Name == "" {
		errs.add(required(path+".name", ""))
	}
	errs.add(checkItems(src.Items, path)...)
	return errs
}

// checkSecretVolume is checkConfigMapVolume for a Secret.
func checkSecretVolume(src *SecretVolumeSource, path string) []error {
	var errs errList
	errs.add(checkMode(src.DefaultMode, path+".defaultMode"))
	if src.SecretName == "" {
		errs.add(required(path+".secretName", ""))
	}
	errs.add(checkItems(src.Items, path)...)
	return errs
}

// checkClaimVolume: the claim is named; whether it exists is the node's
// to find out, as the scheduler's.
func checkClaimVolume(src *PersistentVolumeClaimVolumeSource, path string) []error {
	if src.ClaimName == "" {
		return []error{required(path+".claimName", "")}
	}
	if why := dns1123Subdomain(src.ClaimName); why != "" {
		return []error{invalid(path+".claimName", src.ClaimName, why)}
	}
	return nil
}

// checkItems: each item is valid and makes its own path.
func checkItems(items []KeyToPath, path string) []error {
	var errs errList
	paths := map[string]bool{}
	for i, item := range items {
		ip := fmt.Sprintf("%s.items[%d]", path, i)
		errs.add(checkKeyToPath(item, ip)...)
		if paths[item.Path] {
			errs.add(duplicate(ip+".path", item.Path))
		}
		paths[item.Path] = true
	}
	return errs
}

func checkKeyToPath(item KeyToPath, path string) []error {
	var errs errList
	if item.Key == "" {
		errs.add(required(path+".key", ""))
	} else if why := configMapKey(item.Key); why != "" {
		errs.add(invalid(path+".key", item.Key, why))
	}
	switch {
	case item.Path == "":
		errs.add(required(path+".path", ""))
	case localDescendingPath(item.Path) != "":
		errs.add(invalid(path+".path", item.Path, localDescendingPath(item.Path)))
	case len(item.Path) >= 2 && item.Path[:2] == "..":
		// AtomicWriter keeps its own "..data" entries in the volume root.
		errs.add(invalid(path+".path", item.Path, "must not start with '..'"))
	}
	errs.add(checkMode(item.Mode, path+".mode"))
	return errs
}

func checkMode(mode *int32, path string) error { return checkModeUpTo(mode, path, maxFileMode) }

// checkModeUpTo holds permission bits to 0..max, in the API server's words.
func checkModeUpTo(mode *int32, path string, max int32) error {
	if mode == nil || (*mode >= 0 && *mode <= max) {
		return nil
	}
	return invalidRaw(path, strconv.Itoa(int(*mode)), fmt.Sprintf("must be a number between 0 and %#o (octal), both inclusive", max))
}
