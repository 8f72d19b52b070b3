package podspec

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"sync"
)

// AssignUIDs does what the API server does on create: every pod gets a
// fresh UID, whatever its manifest says. A pod's UID names its log
// directory and its network owner, so it must come from minipod, not from
// the file. It returns a warning for each manifest uid it replaced.
func (m *Manifest) AssignUIDs() ([]string, error) {
	var warns []string
	for _, p := range m.Pods {
		uid, err := NewUID()
		if err != nil {
			return nil, fmt.Errorf("generate UID of pod %s: %w", p.Name, err)
		}
		if p.UID != "" {
			warns = append(warns, fmt.Sprintf("Pod %q: metadata.uid: ignored on input (a new UID is assigned on create)", p.Name))
		}
		p.UID = uid
	}
	return warns, nil
}

// NewUID returns a random RFC 4122 version 4 UUID, as Kubernetes' UIDs are.
func NewUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

var uuidRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
})

// checkUID: a stored pod's UID becomes a path component (its log directory
// /var/log/pods/<ns>_<name>_<uid>), so only the UUID form is accepted,
// whether from a manifest (where it is then replaced) or a stored pod.
func checkUID(c *podContext) []error {
	if uid := c.pod.UID; uid != "" && !uuidRe().MatchString(uid) {
		return []error{invalid("metadata.uid", uid, "must be a UUID (32 hexadecimal digits as 8-4-4-4-12, such as 0b7c1e2a-1111-4222-8333-444455556666)")}
	}
	return nil
}
