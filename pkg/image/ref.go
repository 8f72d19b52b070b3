package image

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Ref is a parsed image reference, normalised as docker and kubectl do.
type Ref struct {
	Name string // e.g. "nginx", "training/webapp"
	Tag  string // "latest" when absent
}

func (r Ref) String() string { return r.Name + ":" + r.Tag }

var (
	nameRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	})
	tagRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`) })
)

// ParseRef parses "nginx", "nginx:alpine", "docker.io/library/nginx:1.25".
// The Docker Hub prefixes are dropped because the local store keys images by
// their short name. Digests need the registry support of a later issue.
func ParseRef(s string) (Ref, error) {
	if strings.Contains(s, "@") {
		return Ref{}, fmt.Errorf("image %q: digest references need registry support, which minipod does not have yet", s)
	}
	name, tag := s, "latest"
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		name, tag = s[:i], s[i+1:]
	}
	for _, p := range []string{"docker.io/library/", "docker.io/", "index.docker.io/library/", "index.docker.io/"} {
		if strings.HasPrefix(name, p) {
			name = strings.TrimPrefix(name, p)
			break
		}
	}
	if !nameRE().MatchString(name) {
		return Ref{}, fmt.Errorf("image %q: invalid repository name %q", s, name)
	}
	if !tagRE().MatchString(tag) {
		return Ref{}, fmt.Errorf("image %q: invalid tag %q", s, tag)
	}
	return Ref{Name: name, Tag: tag}, nil
}
