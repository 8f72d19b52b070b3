package podspec

import (
	"regexp"
	"strconv"
	"sync"
)

// envFieldPaths are the fieldRef paths Kubernetes allows in env (the
// subscripted label/annotation forms are matched separately).
var envFieldPaths = []string{
	"metadata.name", "metadata.namespace", "metadata.uid",
	"spec.nodeName", "spec.serviceAccountName",
	"status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
}

var subscriptedFieldRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^metadata\.(labels|annotations)\['(.*)'\]$`) })

func checkEnv(c *podContext, ctr *Container, path string) []error {
	var errs errList
	for i, e := range ctr.Env {
		ep := path + ".env[" + strconv.Itoa(i) + "]"
		if e.Name == "" {
			errs.add(required(ep+".name", ""))
		} else if why := envVarName(e.Name); why != "" {
			errs.add(invalid(ep+".name", e.Name, why))
		}
		if e.ValueFrom != nil {
			errs.add(checkValueFrom(c, e, ep)...)
		}
	}
	return errs
}

// checkValueFrom: exactly one source, and no literal value beside it.
func checkValueFrom(c *podContext, e EnvVar, path string) []error {
	vp := path + ".valueFrom"
	if e.Value != "" {
		return []error{invalid(vp, "", "may not be specified when `value` is not empty")}
	}
	src := e.ValueFrom
	n := 0
	for _, set := range []bool{src.FieldRef != nil, src.ConfigMapKeyRef != nil, src.ResourceFieldRef != nil, src.SecretKeyRef != nil, src.FileKeyRef != nil} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return []error{invalid(vp, "", "may not have more than one field specified at a time")}
	case src.FieldRef != nil:
		return checkFieldRef(src.FieldRef, vp+".fieldRef")
	case src.ResourceFieldRef != nil:
		return checkResourceFieldRef(c, src.ResourceFieldRef, vp+".resourceFieldRef")
	case src.ConfigMapKeyRef != nil:
		return checkKeyRef(src.ConfigMapKeyRef.Name, src.ConfigMapKeyRef.Key, vp+".configMapKeyRef")
	case src.SecretKeyRef != nil:
		return checkKeyRef(src.SecretKeyRef.Name, src.SecretKeyRef.Key, vp+".secretKeyRef")
	case src.FileKeyRef != nil:
		return checkFileKeyRef(c, src.FileKeyRef, vp+".fileKeyRef")
	}
	return []error{invalid(vp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`")}
}

// checkFileKeyRef: the env file is in an emptyDir of the pod, at a path
// that stays inside it, and the key is a variable name.
func checkFileKeyRef(c *podContext, ref *FileKeySelector, path string) []error {
	var errs errList
	switch v, ok := c.volumes[ref.VolumeName]; {
	case ref.VolumeName == "":
		errs.add(required(path+".volumeName", ""))
	case !ok:
		errs.add(notFound(path+".volumeName", ref.VolumeName))
	case v.EmptyDir == nil:
		errs.add(invalid(path+".volumeName", ref.VolumeName, "referenced volume must be an emptyDir volume"))
	}
	if ref.Path == "" {
		errs.add(required(path+".path", ""))
	} else if why := localDescendingPath(ref.Path); why != "" {
		errs.add(invalid(path+".path", ref.Path, why))
	}
	if ref.Key == "" {
		errs.add(required(path+".key", ""))
	} else if why := envVarName(ref.Key); why != "" {
		errs.add(invalid(path+".key", ref.Key, why))
	}
	return errs
}

func checkFieldRef(ref *ObjectFieldSelector, path string) []error {
	if ref.APIVersion != "v1" {
		return []error{unsupported(path+".apiVersion", ref.APIVersion, "v1")}
	}
	if ref.FieldPath == "" {
		return []error{required(path+".fieldPath", "")}
	}
	if m := subscriptedFieldRe().FindStringSubmatch(ref.FieldPath); m != nil {
		if why := qualifiedName(m[2]); why != "" {
			return []error{invalid(path+".fieldPath", ref.FieldPath, why)}
		}
		return nil
	}
	for _, ok := range envFieldPaths {
		if ref.FieldPath == ok {
			return nil
		}
	}
	return []error{unsupported(path+".fieldPath", ref.FieldPath, append(envFieldPaths,
		"metadata.labels['<KEY>']", "metadata.annotations['<KEY>']")...)}
}

// checkKeyRef: a name and a valid key. Whether the ConfigMap or Secret
// and its key exist is found out when the container starts
// (CreateContainerConfigError), as the kubelet does.
func checkKeyRef(name, key, path string) []error {
	var errs errList
	if name == "" {
		errs.add(required(path+".name", ""))
	}
	if key == "" {
		errs.add(required(path+".key", ""))
	} else if why := configMapKey(key); why != "" {
		errs.add(invalid(path+".key", key, why))
	}
	return errs
}

// checkEnvFrom: each entry names one ConfigMap or Secret; a prefix must
// itself be a valid name start.
func checkEnvFrom(c *podContext, ctr *Container, path string) []error {
	var errs errList
	for i, ef := range ctr.EnvFrom {
		ep := path + ".envFrom[" + strconv.Itoa(i) + "]"
		if ef.Prefix != "" {
			if why := envVarName(ef.Prefix); why != "" {
				errs.add(invalid(ep+".prefix", ef.Prefix, why))
			}
		}
		switch {
		case ef.ConfigMapRef != nil && ef.SecretRef != nil:
			errs.add(invalid(ep, "", "may not have more than one field specified at a time"))
		case ef.ConfigMapRef != nil && ef.ConfigMapRef.Name == "":
			errs.add(required(ep+".configMapRef.name", ""))
		case ef.SecretRef != nil && ef.SecretRef.Name == "":
			errs.add(required(ep+".secretRef.name", ""))
		case ef.ConfigMapRef == nil && ef.SecretRef == nil:
			errs.add(invalid(ep, "", "must specify one of: `configMapRef` or `secretRef`"))
		}
	}
	return errs
}
