package podspec

import (
	"fmt"
	"sort"
	"strings"
)

// VolumeFieldValue is the content of a downwardAPI volume's fieldRef
// file, as the kubelet writes it: the whole labels or annotations as
// key="value" lines, or one field's value as it is.
func VolumeFieldValue(pod *Pod, fieldPath string) (string, error) {
	switch fieldPath {
	case "metadata.labels":
		return formatMap(pod.Labels), nil
	case "metadata.annotations":
		return formatMap(pod.Annotations), nil
	case "metadata.name", "metadata.namespace", "metadata.uid":
		return podFieldValue(pod, fieldPath, "", "")
	}
	switch field, key, ok := splitSubscript(fieldPath); {
	case ok && field == "metadata.labels":
		return pod.Labels[key], nil
	case ok && field == "metadata.annotations":
		return pod.Annotations[key], nil
	}
	return "", fmt.Errorf("unsupported fieldPath: %s", fieldPath)
}

// formatMap writes one key="value" line per entry, sorted by key, the
// value quoted as Go's %q does, and no newline after the last line (the
// kubelet's fieldpath.FormatMap).
func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = fmt.Sprintf("%s=%q", k, m[k])
	}
	return strings.Join(lines, "\n")
}
