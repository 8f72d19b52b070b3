package podspec

import "fmt"

// configMapSizeLimit is Kubernetes' cap on a ConfigMap's data (1 MiB).
const configMapSizeLimit = 1024 * 1024

// checkConfigMap: keys become file names, so they follow the config key
// rule, and a key may be in data or binaryData but not both.
func checkConfigMap(cm *ConfigMap) []error {
	var errs errList
	errs.add(checkObjectMeta(&cm.ObjectMeta, "metadata")...)
	size := 0
	for _, k := range sortedKeys(cm.Data) {
		if why := configMapKey(k); why != "" {
			errs.add(invalid("data", k, why))
		}
		size += len(k) + len(cm.Data[k])
	}
	for _, k := range sortedKeys(cm.BinaryData) {
		if why := configMapKey(k); why != "" {
			errs.add(invalid("binaryData", k, why))
		}
		if _, dup := cm.Data[k]; dup {
			errs.add(invalid("binaryData", k, "duplicate of key present in data"))
		}
		size += len(k) + len(cm.BinaryData[k])
	}
	if size > configMapSizeLimit {
		errs.add(&FieldError{Path: "data", Kind: "Too long",
			Detail: fmt.Sprintf("the total size of data and binaryData must be at most %d bytes", configMapSizeLimit)})
	}
	return errs
}

// hasKey reports whether key is in data or binaryData.
func (cm *ConfigMap) hasKey(key string) bool {
	if _, ok := cm.Data[key]; ok {
		return true
	}
	_, ok := cm.BinaryData[key]
	return ok
}

func isTrue(b *bool) bool { return b != nil && *b }
