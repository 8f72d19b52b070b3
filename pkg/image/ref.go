package image

import (
	"fmt"
	"strings"
)

// DefaultDomain is the registry of references without a host, as in docker.
const DefaultDomain = "docker.io"

// Ref is an image reference normalised as docker and kubectl do:
// "nginx" is docker.io/library/nginx:latest.
type Ref struct {
	Domain string // registry host[:port]; "docker.io" for Docker Hub
	Path   string // repository inside the registry: "library/nginx"
	Tag    string // "latest" when neither a tag nor a digest was given
	Digest string // "sha256:<hex>" for name@digest references
}

// Repository is Domain/Path: "docker.io/library/nginx".
func (r Ref) Repository() string { return r.Domain + "/" + r.Path }

// String is the fully normalised reference:
// docker.io/library/nginx:latest, localhost:5000/x@sha256:...
func (r Ref) String() string {
	s := r.Repository()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// Familiar is the reference as docker prints it: Docker Hub's domain and
// "library/" dropped ("nginx:latest", "training/webapp:latest").
func (r Ref) Familiar() string {
	s := r.FamiliarName()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// FamiliarName is the repository as docker prints it: "nginx",
// "training/webapp", "localhost:5000/x".
func (r Ref) FamiliarName() string {
	if r.Domain != DefaultDomain {
		return r.Repository()
	}
	return strings.TrimPrefix(r.Path, "library/")
}

// Local reports whether the reference may name one of the plain directory
// images of scripts/build-images.sh: a Docker Hub name with a tag. A registry
// host or a digest makes it an OCI-only reference.
func (r Ref) Local() bool { return r.Domain == DefaultDomain && r.Digest == "" }

// ParseRef parses and normalises an image reference: "nginx",
// "nginx:alpine", "docker.io/library/nginx:1.25", "localhost:5000/x/y:1",
// "debian@sha256:<hex>", "quay.io/a/b:t@sha256:<hex>".
func ParseRef(s string) (Ref, error) {
	if s == "" {
		return Ref{}, fmt.Errorf("image reference is empty")
	}
	rest, digest, hasDigest := strings.Cut(s, "@")
	if hasDigest && !validDigest(digest) {
		return Ref{}, fmt.Errorf("image %q: invalid digest %q (want sha256:<64 hex digits>)", s, digest)
	}
	name, tag := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		name, tag = rest[:i], rest[i+1:]
		if !validTag(tag) {
			return Ref{}, fmt.Errorf("image %q: invalid tag %q", s, tag)
		}
	}
	if tag == "" && !hasDigest {
		tag = "latest"
	}
	domain, path := splitDomain(name)
	if !validDomain(domain) {
		return Ref{}, fmt.Errorf("image %q: invalid registry host %q", s, domain)
	}
	if !validPath(path) {
		return Ref{}, fmt.Errorf("image %q: invalid repository name %q", s, path)
	}
	if len(domain)+1+len(path) > 255 {
		return Ref{}, fmt.Errorf("image %q: repository name longer than 255 characters", s)
	}
	return Ref{Domain: domain, Path: path, Tag: tag, Digest: digest}, nil
}

// splitDomain separates the registry host as docker does: the first
// component is a host if it has a '.' or ':', is "localhost", or has upper
// case letters; otherwise the name is on Docker Hub.
func splitDomain(name string) (domain, path string) {
	i := strings.IndexByte(name, '/')
	if i < 0 || (!strings.ContainsAny(name[:i], ".:") && name[:i] != "localhost" && strings.ToLower(name[:i]) == name[:i]) {
		domain, path = DefaultDomain, name
	} else {
		domain, path = name[:i], name[i+1:]
	}
	if domain == "index.docker.io" {
		domain = DefaultDomain
	}
	if domain == DefaultDomain && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	return domain, path
}
