package podspec

import (
	"encoding/json"
	"fmt"
)

// secretSizeLimit is the API server's cap on a Secret's data (1 MiB).
const secretSizeLimit = 1024 * 1024

// defaultSecret does what the API server does on create: stringData is
// merged into data (it wins) and not kept; the type defaults to Opaque.
func defaultSecret(s *Secret) {
	if s.Type == "" {
		s.Type = SecretTypeOpaque
	}
	if len(s.StringData) > 0 && s.Data == nil {
		s.Data = map[string][]byte{}
	}
	for k, v := range s.StringData {
		s.Data[k] = []byte(v)
	}
	s.StringData = nil
}

// checkSecret: keys are file names (the config key rule), the data fits
// in 1 MiB, and each built-in type has the keys it promises.
func checkSecret(s *Secret) []error {
	var errs errList
	errs.add(checkObjectMeta(&s.ObjectMeta, "metadata")...)
	size := 0
	for _, k := range sortedKeys(s.Data) {
		if why := configMapKey(k); why != "" {
			errs.add(invalid("data", k, why))
		}
		size += len(s.Data[k])
	}
	if size > secretSizeLimit {
		errs.add(&FieldError{Path: "data", Kind: "Too long", Detail: fmt.Sprintf("must have at most %d bytes", secretSizeLimit)})
	}
	errs.add(checkSecretType(s)...)
	return errs
}

// checkSecretType is the API server's per-type rule.
func checkSecretType(s *Secret) []error {
	has := func(k string) bool { _, ok := s.Data[k]; return ok }
	need := func(keys ...string) []error {
		var errs errList
		for _, k := range keys {
			if !has(k) {
				errs.add(required("data["+k+"]", ""))
			}
		}
		return errs
	}
	switch s.Type {
	case SecretTypeServiceAccountToken:
		if s.Annotations["kubernetes.io/service-account.name"] == "" {
			return []error{required("metadata.annotations[kubernetes.io/service-account.name]", "")}
		}
	case SecretTypeDockercfg:
		return checkJSONKey(s, ".dockercfg")
	case SecretTypeDockerConfigJSON:
		return checkJSONKey(s, ".dockerconfigjson")
	case SecretTypeBasicAuth:
		if !has("username") && !has("password") {
			return need("username", "password")
		}
	case SecretTypeSSHAuth:
		return need("ssh-privatekey")
	case SecretTypeTLS:
		return need("tls.key", "tls.crt")
	}
	return nil
}

// checkJSONKey: a docker config secret holds its JSON under key; the
// value is never echoed.
func checkJSONKey(s *Secret, key string) []error {
	raw, ok := s.Data[key]
	if !ok {
		return []error{required("data["+key+"]", "")}
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		// Not the decoder's message: it quotes the secret's characters.
		return []error{invalid("data["+key+"]", "<secret contents redacted>", "must be a valid JSON document")}
	}
	return nil
}

// defaultClaim: a claim's volume is a filesystem unless it says otherwise.
func defaultClaim(c *PersistentVolumeClaim) {
	if c.Spec.VolumeMode == nil {
		fs := "Filesystem"
		c.Spec.VolumeMode = &fs
	}
}

// accessModes are the modes a claim may ask for.
var accessModes = []string{"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"}

// checkClaim is the API server's claim rule; a local volume is a
// directory, so volumeMode Block cannot be given.
func checkClaim(c *PersistentVolumeClaim) []error {
	var errs errList
	errs.add(checkObjectMeta(&c.ObjectMeta, "metadata")...)
	errs.add(checkAccessModes(c.Spec.AccessModes)...)
	storage, ok := c.Spec.Resources.Requests["storage"]
	if !ok {
		errs.add(required("spec.resources[storage]", ""))
	} else if n, err := QuantityBytes(storage); err != nil || n <= 0 {
		errs.add(invalid("spec.resources[storage]", storage, "must be greater than zero"))
	}
	if m := *c.Spec.VolumeMode; m != "Filesystem" {
		errs.add(unsupported("spec.volumeMode", m, "Filesystem"))
	}
	if sc := c.Spec.StorageClassName; sc != nil && *sc != "" {
		if why := dns1123Subdomain(*sc); why != "" {
			errs.add(invalid("spec.storageClassName", *sc, why))
		}
	}
	return errs
}

func checkAccessModes(modes []string) []error {
	var errs errList
	if len(modes) == 0 {
		return []error{required("spec.accessModes", "at least 1 access mode is required")}
	}
	for _, m := range modes {
		if !contains(accessModes, m) {
			errs.add(unsupported("spec.accessModes", m, accessModes...))
		}
	}
	if contains(modes, "ReadWriteOncePod") && len(modes) > 1 {
		errs.add(forbidden("spec.accessModes", "may not use ReadWriteOncePod with other access modes"))
	}
	return errs
}
