package podspec

import (
	"fmt"
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

func checkVolumeSource(c *podContext, v *Volume, path string) []error {
	if v.EmptyDir != nil && v.ConfigMap != nil {
		return []error{forbidden(path+".configMap", "may not specify more than 1 volume type")}
	}
	if v.EmptyDir != nil {
		return checkEmptyDir(v.EmptyDir, path+".emptyDir")
	}
	return checkConfigMapVolume(c, v.ConfigMap, path+".configMap")
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
	return errs
}

// checkConfigMapVolume: the ConfigMap must be in this manifest unless the
// volume is optional, and so must every key its items name.
func checkConfigMapVolume(c *podContext, src *ConfigMapVolumeSource, path string) []error {
	var errs errList
	errs.add(checkMode(src.DefaultMode, path+".defaultMode"))
	if src.Name == "" {
		errs.add(required(path+".name", ""))
		return errs
	}
	cm, found := c.m.configMap(c.pod.Namespace, src.Name)
	if !found && !isTrue(src.Optional) {
		errs.add(notFound(path+".name", src.Name))
	}
	paths := map[string]bool{}
	for i, item := range src.Items {
		ip := fmt.Sprintf("%s.items[%d]", path, i)
		errs.add(checkKeyToPath(item, ip)...)
		if found && item.Key != "" && !cm.hasKey(item.Key) && !isTrue(src.Optional) {
			errs.add(notFound(ip+".key", item.Key))
		}
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

func checkMode(mode *int32, path string) error {
	if mode == nil || (*mode >= 0 && *mode <= maxFileMode) {
		return nil
	}
	return invalid(path, strconv.Itoa(int(*mode)), "must be a number between 0 and 0777 (octal), both inclusive")
}
