package podspec

import (
	"fmt"
	"strings"
)

// The API server's checks of downwardAPI and projected volumes
// (validateDownwardAPIVolumeSource, validateProjectionSources), with its
// paths: a downwardAPI item's errors are reported at the source's path,
// without the item's index, as the API server does.

// volumeFieldPaths are the fieldRef paths a volume may read, sorted as
// the API server lists them; the subscripted label and annotation forms
// are matched apart.
var volumeFieldPaths = []string{"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"}

// convertibleFieldPaths are the paths the API server knows for a Pod at
// all (ConvertDownwardAPIFieldLabel): one of these that a volume may not
// read is "Unsupported value", any other an error converting it.
var convertibleFieldPaths = []string{
	"metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid",
	"spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName", "spec.schedulerName",
	"spec.terminationGracePeriodSeconds", "status.phase",
	"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
}

func checkDownwardAPIVolume(c *podContext, src *DownwardAPIVolumeSource, path string) []error {
	var errs errList
	errs.add(checkMode(src.DefaultMode, path+".defaultMode"))
	for i := range src.Items {
		errs.add(checkDownwardAPIFile(c, &src.Items[i], path)...)
	}
	return errs
}

func checkDownwardAPIFile(c *podContext, f *DownwardAPIVolumeFile, path string) []error {
	var errs errList
	if f.Path == "" {
		errs.add(required(path+".path", ""))
	}
	errs.add(checkNonReservedPath(f.Path, path+".path")...)
	switch {
	case f.FieldRef != nil:
		errs.add(checkVolumeFieldRef(f.FieldRef, path+".fieldRef")...)
		if f.ResourceFieldRef != nil {
			errs.add(invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		}
	case f.ResourceFieldRef != nil:
		// A volume belongs to no container: it must name the one whose
		// resources it shows.
		if f.ResourceFieldRef.ContainerName == "" {
			errs.add(required(path+".resourceFieldRef.containerName", ""))
		}
		errs.add(checkResourceFieldRef(c, f.ResourceFieldRef, path+".resourceFieldRef")...)
	default:
		errs.add(required(path, "one of fieldRef and resourceFieldRef is required"))
	}
	errs.add(checkMode(f.Mode, path+".mode"))
	return errs
}

// checkNonReservedPath: relative, no "..", and not starting with ".."
// (the kubelet keeps its own "..data" entries in a volume's root).
func checkNonReservedPath(p, path string) []error {
	if why := localDescendingPath(p); why != "" {
		return []error{invalid(path, p, why)}
	}
	if strings.HasPrefix(p, "..") {
		return []error{invalid(path, p, "must not start with '..'")}
	}
	return nil
}

// checkVolumeFieldRef is the API server's validateObjectFieldSelector
// with the paths a volume may read.
func checkVolumeFieldRef(ref *ObjectFieldSelector, path string) []error {
	fp := path + ".fieldPath"
	switch {
	case ref.APIVersion == "":
		return []error{required(path+".apiVersion", "")}
	case ref.FieldPath == "":
		return []error{required(fp, "")}
	case ref.APIVersion != "v1":
		return []error{invalid(fp, ref.FieldPath, "error converting fieldPath: unsupported pod version: "+ref.APIVersion)}
	}
	if field, key, ok := splitSubscript(ref.FieldPath); ok {
		return checkSubscript(field, key, ref.FieldPath, path)
	}
	switch {
	case !contains(convertibleFieldPaths, ref.FieldPath) && ref.FieldPath != "spec.host":
		return []error{invalid(fp, ref.FieldPath, "error converting fieldPath: field label not supported: "+ref.FieldPath)}
	case ref.FieldPath == "spec.host":
		// Old clients' name of spec.nodeName, which the API server
		// converts first.
		return []error{unsupported(fp, "spec.nodeName", volumeFieldPaths...)}
	case !contains(volumeFieldPaths, ref.FieldPath):
		return []error{unsupported(fp, ref.FieldPath, volumeFieldPaths...)}
	}
	return nil
}

// checkSubscript: only labels and annotations take a key, which must be a
// qualified name (annotation keys compared in lower case).
func checkSubscript(field, key, fieldPath, path string) []error {
	switch field {
	case "metadata.labels":
	case "metadata.annotations":
		key = strings.ToLower(key)
	default:
		return []error{invalid(path+".fieldPath", fieldPath, "error converting fieldPath: field label does not support subscript: "+fieldPath)}
	}
	if why := qualifiedName(key); why != "" {
		return []error{invalid(path, key, why)}
	}
	return nil
}

// splitSubscript splits "metadata.labels['k']" into the field and the
// key, as the API server's SplitMaybeSubscriptedPath.
func splitSubscript(fieldPath string) (field, key string, ok bool) {
	s, found := strings.CutSuffix(fieldPath, "']")
	if !found {
		return "", "", false
	}
	field, key, found = strings.Cut(s, "['")
	if !found || field == "" {
		return "", "", false
	}
	return field, key, true
}

func checkProjectedVolume(c *podContext, src *ProjectedVolumeSource, path string) []error {
	var errs errList
	errs.add(checkMode(src.DefaultMode, path+".defaultMode"))
	paths := map[string]bool{}
	for i := range src.Sources {
		errs.add(checkProjection(c, &src.Sources[i], path, i, paths)...)
	}
	return errs
}

// checkProjection checks one source; paths holds the file paths of the
// sources before it, since two sources may not write the same file.
func checkProjection(c *podContext, s *VolumeProjection, volPath string, i int, paths map[string]bool) []error {
	var errs errList
	srcPath := fmt.Sprintf("%s.sources[%d]", volPath, i)
	// A path seen before is reported at the volume, with the object's
	// name (a downwardAPI item: the path), as the API server does.
	claim := func(p, value string) {
		if p != "" && paths[p] {
			errs.add(invalid(volPath, value, "conflicting duplicate paths"))
		}
		paths[p] = p != ""
	}
	if s.Secret != nil {
		errs.add(checkProjectedKeys(s.Secret.Name, s.Secret.Items, srcPath+".secret", func(p string) { claim(p, s.Secret.Name) })...)
	}
	if s.ConfigMap != nil {
		errs.add(checkProjectedKeys(s.ConfigMap.Name, s.ConfigMap.Items, srcPath+".configMap", func(p string) { claim(p, s.ConfigMap.Name) })...)
	}
	if s.DownwardAPI != nil {
		for j := range s.DownwardAPI.Items {
			it := &s.DownwardAPI.Items[j]
			errs.add(checkDownwardAPIFile(c, it, srcPath+".downwardAPI")...)
			claim(it.Path, it.Path)
		}
	}
	if n := countProjections(s); n > 1 {
		errs.add(forbidden(srcPath, "may not specify more than 1 volume type per source"))
	}
	return errs
}

// checkProjectedKeys checks a configMap or secret source: a name, valid
// items, each path claimed.
func checkProjectedKeys(name string, items []KeyToPath, path string, claim func(string)) []error {
	var errs errList
	if name == "" {
		errs.add(required(path+".name", ""))
	}
	for j, it := range items {
		errs.add(checkKeyToPath(it, fmt.Sprintf("%s.items[%d]", path, j))...)
		claim(it.Path)
	}
	return errs
}

func countProjections(s *VolumeProjection) int {
	n := 0
	for _, set := range []bool{s.Secret != nil, s.DownwardAPI != nil, s.ConfigMap != nil,
		present(s.ServiceAccountToken), present(s.ClusterTrustBundle), present(s.PodCertificate)} {
		if set {
			n++
		}
	}
	return n
}
