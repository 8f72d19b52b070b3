package podspec

import "fmt"

// totalAnnotationSizeLimit is Kubernetes' cap on all annotations together.
const totalAnnotationSizeLimit = 256 * 1024

// checkObjectMeta: the name becomes a directory and a hostname, so it must be
// a DNS-1123 subdomain; the namespace a DNS-1123 label.
func checkObjectMeta(meta *ObjectMeta, path string) []error {
	var errs errList
	switch {
	case meta.Name == "":
		errs.add(required(path+".name", "name or generateName is required"))
	case dns1123Subdomain(meta.Name) != "":
		errs.add(invalid(path+".name", meta.Name, dns1123Subdomain(meta.Name)))
	}
	if why := dns1123Label(meta.Namespace); why != "" {
		errs.add(invalid(path+".namespace", meta.Namespace, why))
	}
	errs.add(checkLabels(meta.Labels, path+".labels")...)
	errs.add(checkAnnotations(meta.Annotations, path+".annotations")...)
	return errs
}

func checkLabels(labels map[string]string, path string) []error {
	var errs errList
	for _, k := range sortedKeys(labels) {
		if why := qualifiedName(k); why != "" {
			errs.add(invalid(path, k, why))
		}
		if why := labelValue(labels[k]); why != "" {
			errs.add(invalid(fmt.Sprintf("%s[%s]", path, k), labels[k], why))
		}
	}
	return errs
}

func checkAnnotations(annotations map[string]string, path string) []error {
	var errs errList
	size := 0
	for _, k := range sortedKeys(annotations) {
		if why := qualifiedName(k); why != "" {
			errs.add(invalid(path, k, why))
		}
		size += len(k) + len(annotations[k])
	}
	if size > totalAnnotationSizeLimit {
		errs.add(&FieldError{Path: path, Kind: "Too long",
			Detail: fmt.Sprintf("must have at most %d bytes", totalAnnotationSizeLimit)})
	}
	return errs
}
