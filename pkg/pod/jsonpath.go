package pod

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/minipod/minipod/pkg/podspec"
	"k8s.io/client-go/util/jsonpath"
)

// jsonPath evaluates a kubectl JSONPath template ("{.status.phase}", with
// or without braces) against obj as kubectl does: over the object's JSON
// form, missing keys printing nothing.
func jsonPath(tmpl string, obj any) (string, error) {
	if !strings.Contains(tmpl, "{") {
		tmpl = "{" + tmpl + "}"
	}
	j := jsonpath.New("out").AllowMissingKeys(true)
	if err := j.Parse(tmpl); err != nil {
		return "", fmt.Errorf("error parsing jsonpath %s: %w", tmpl, err)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return "", fmt.Errorf("encode object: %w", err)
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return "", fmt.Errorf("decode object: %w", err)
	}
	var b bytes.Buffer
	if err := j.Execute(&b, generic); err != nil {
		return "", err
	}
	return b.String(), nil
}

// v1Object is what -o json, -o yaml and -o jsonpath print: the pod, or a
// v1 List of the pods.
func v1Object(pods []*podspec.Pod) any {
	if len(pods) == 1 {
		return pods[0]
	}
	items := make([]any, len(pods))
	for i, p := range pods {
		items[i] = p
	}
	return map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]string{"resourceVersion": ""}, "items": items}
}
