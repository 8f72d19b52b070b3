package podspec

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// EnvSources is what env values come from besides the manifest and the
// node's objects: the pod's and node's addresses, the node's allocatable
// resources, the files of its volumes.
type EnvSources struct {
	PodIP, HostIP string
	// APIServerIP is Service default/kubernetes's address, whose
	// variables every container gets (KubernetesServiceLinks); none when
	// empty.
	APIServerIP string
	Allocatable ResourceAmounts
	// EnvFile reads a file of an emptyDir volume for fileKeyRef; it wraps
	// ErrNoEnvFile when there is none.
	EnvFile func(volume, path string) ([]byte, error)
}

// orderedEnv is a set of variables that remembers first-definition order,
// so the result is deterministic (the kubelet's map has no order).
type orderedEnv struct {
	names  []string
	values map[string]string
}

func (e *orderedEnv) set(name, value string) {
	if _, ok := e.values[name]; !ok {
		e.names = append(e.names, name)
	}
	e.values[name] = value
}

func (e *orderedEnv) lookup(name string) (string, bool) {
	v, ok := e.values[name]
	return v, ok
}

// DeclaredEnv returns the variables the kubelet makes for the container,
// as "K=V" pairs, with Kubernetes precedence: envFrom entries in order
// (later wins, prefix prepended, keys that are not valid names skipped),
// then env entries (env wins). An env value's $(VAR) references are
// expanded against the variables defined before it, as the kubelet does:
// the image env is not visible to them (the kubelet never sees it).
// fieldRef values come from the pod, with the addresses the caller gives
// in src; resourceFieldRef values from the containers' resources, with
// src's node allocatable for limits not set.
//
// The Services' variables (serviceLinks) come after the container's own,
// which win over them, sorted by name; a $(VAR) reference finds them when
// the container defines no VAR. These variables, and no others, are what
// $(VAR) in command and args sees (ResolveArgs).
//
// A missing non-optional ConfigMap, Secret or key is an error wrapping
// ErrObjectNotFound, the kubelet's CreateContainerConfigError.
func DeclaredEnv(m Objects, pod *Pod, c *Container, src EnvSources) ([]string, error) {
	vars := &orderedEnv{values: map[string]string{}}
	links, err := serviceLinks(m, pod, src.APIServerIP)
	if err != nil {
		return nil, fmt.Errorf("container %q: %w", c.Name, err)
	}
	lookup := func(name string) (string, bool) {
		if v, ok := vars.lookup(name); ok {
			return v, true
		}
		v, ok := links[name]
		return v, ok
	}
	for _, ef := range c.EnvFrom {
		if err := addEnvFrom(vars, m, pod, ef); err != nil {
			return nil, fmt.Errorf("container %q: %w", c.Name, err)
		}
	}
	total := 0
	for _, e := range c.Env {
		val, ok, err := envValue(lookup, m, pod, c, e, src)
		if err != nil {
			return nil, fmt.Errorf("container %q: env %q: %w", c.Name, e.Name, err)
		}
		// Bounded as it is built: each value may be MaxExpanded long.
		if total += len(val); total > MaxExpandedTotal {
			return nil, fmt.Errorf("container %q: env: the values expand to more than %d bytes in all", c.Name, MaxExpandedTotal)
		}
		if ok {
			vars.set(e.Name, val)
		}
	}
	for _, name := range sortedKeys(links) {
		if _, ok := vars.lookup(name); !ok {
			vars.set(name, links[name])
		}
	}
	out := make([]string, 0, len(vars.names))
	for _, name := range vars.names {
		out = append(out, name+"="+vars.values[name])
	}
	return out, nil
}

// addEnvFrom imports a ConfigMap's data (never binaryData) or a Secret's
// data, keys sorted for determinism.
func addEnvFrom(vars *orderedEnv, m Objects, pod *Pod, ef EnvFromSource) error {
	data, err := envFromData(m, pod.Namespace, ef)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if envVarName(ef.Prefix+k) == "" {
			vars.set(ef.Prefix+k, data[k])
		}
	}
	return nil
}

// envFromData is the data envFrom imports; nil for an optional object
// that is missing.
func envFromData(m Objects, ns string, ef EnvFromSource) (map[string]string, error) {
	switch {
	case ef.ConfigMapRef != nil:
		cm, err := m.ConfigMap(ns, ef.ConfigMapRef.Name)
		if err != nil {
			return nil, optionalMissing(err, ef.ConfigMapRef.Optional)
		}
		return cm.Data, nil
	case ef.SecretRef != nil:
		sec, err := m.Secret(ns, ef.SecretRef.Name)
		if err != nil {
			return nil, optionalMissing(err, ef.SecretRef.Optional)
		}
		out := make(map[string]string, len(sec.Data))
		for k, v := range sec.Data {
			out[k] = string(v)
		}
		return out, nil
	}
	return nil, nil
}

// optionalMissing drops err when it says an optional object is missing.
func optionalMissing(err error, optional *bool) error {
	if isTrue(optional) && errors.Is(err, ErrObjectNotFound) {
		return nil
	}
	return err
}

// envValue computes one env entry; ok is false when an optional reference
// is missing, in which case the variable is not set at all.
func envValue(lookup func(string) (string, bool), m Objects, pod *Pod, c *Container, e EnvVar, src EnvSources) (string, bool, error) {
	switch {
	case e.ValueFrom == nil:
		v, err := ExpandChecked(e.Value, lookup)
		return v, err == nil, err
	case e.ValueFrom.FieldRef != nil:
		v, err := podFieldValue(pod, e.ValueFrom.FieldRef.FieldPath, src.PodIP, src.HostIP)
		return v, err == nil, err
	case e.ValueFrom.ResourceFieldRef != nil:
		v, err := ResourceFieldValue(pod, c, e.ValueFrom.ResourceFieldRef, src.Allocatable)
		return v, err == nil, err
	case e.ValueFrom.ConfigMapKeyRef != nil:
		return configMapKeyValue(m, pod, e.ValueFrom.ConfigMapKeyRef)
	case e.ValueFrom.SecretKeyRef != nil:
		return secretKeyValue(m, pod, e.ValueFrom.SecretKeyRef)
	case e.ValueFrom.FileKeyRef != nil:
		return fileKeyValue(src, e.ValueFrom.FileKeyRef)
	}
	return "", false, fmt.Errorf("valueFrom has no supported source")
}

func configMapKeyValue(m Objects, pod *Pod, ref *ConfigMapKeySelector) (string, bool, error) {
	cm, err := m.ConfigMap(pod.Namespace, ref.Name)
	if err != nil {
		return "", false, optionalMissing(err, ref.Optional)
	}
	v, ok := cm.Data[ref.Key]
	if !ok && !isTrue(ref.Optional) {
		return "", false, Missing("couldn't find key %s in ConfigMap %s/%s", ref.Key, pod.Namespace, ref.Name)
	}
	return v, ok, nil
}

func secretKeyValue(m Objects, pod *Pod, ref *SecretKeySelector) (string, bool, error) {
	sec, err := m.Secret(pod.Namespace, ref.Name)
	if err != nil {
		return "", false, optionalMissing(err, ref.Optional)
	}
	v, ok := sec.Data[ref.Key]
	if !ok && !isTrue(ref.Optional) {
		return "", false, Missing("couldn't find key %s in Secret %s/%s", ref.Key, pod.Namespace, ref.Name)
	}
	return string(v), ok, nil
}

// fileKeyValue reads the variable from the env file a container wrote: a
// missing file or key is a MissingError (the container waits, as with a
// ConfigMap's key) unless optional; a file that is not an env file is an
// error of its own.
func fileKeyValue(src EnvSources, ref *FileKeySelector) (string, bool, error) {
	if src.EnvFile == nil {
		return "", false, fmt.Errorf("no env file can be read here")
	}
	data, err := src.EnvFile(ref.VolumeName, ref.Path)
	if errors.Is(err, ErrNoEnvFile) {
		if isTrue(ref.Optional) {
			return "", false, nil
		}
		return "", false, Missing("couldn't find env file %s in volume %s", ref.Path, ref.VolumeName)
	}
	if err != nil {
		return "", false, err
	}
	v, found, err := EnvFileValue(data, ref.Key)
	switch {
	case err != nil:
		return "", false, fmt.Errorf("env file %s in volume %s: %w", ref.Path, ref.VolumeName, err)
	case !found && !isTrue(ref.Optional):
		return "", false, Missing("couldn't find key %s in env file %s in volume %s", ref.Key, ref.Path, ref.VolumeName)
	}
	return v, found, nil
}

// podFieldValue is the downward API for env.
func podFieldValue(pod *Pod, path, podIP, hostIP string) (string, error) {
	if m := subscriptedFieldRe().FindStringSubmatch(path); m != nil {
		if m[1] == "labels" {
			return pod.Labels[m[2]], nil
		}
		return pod.Annotations[m[2]], nil
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return pod.UID, nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP", "status.hostIPs":
		return hostIP, nil
	case "status.podIP", "status.podIPs":
		return podIP, nil
	}
	return "", fmt.Errorf("unsupported fieldRef path %q", path)
}

// MergeImageEnv lays the declared variables over the image's env
// (containerd's rule): a name already there is replaced in place, new
// names follow in order. Each name appears once.
func MergeImageEnv(imageEnv, declared []string) []string {
	out := make([]string, 0, len(imageEnv)+len(declared))
	index := map[string]int{}
	for _, kv := range append(imageEnv[:len(imageEnv):len(imageEnv)], declared...) {
		name, value, _ := strings.Cut(kv, "=")
		kv = name + "=" + value // an image's bare "NAME" is NAME=
		if i, ok := index[name]; ok {
			out[i] = kv
			continue
		}
		index[name] = len(out)
		out = append(out, kv)
	}
	return out
}
