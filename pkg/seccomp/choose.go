package seccomp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	moby "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/minipod/minipod/pkg/nodeconfig"
)

// Profile kinds, as Kubernetes' securityContext.seccompProfile.type names
// them.
const (
	RuntimeDefault = "RuntimeDefault"
	Unconfined     = "Unconfined"
	Localhost      = "Localhost"
)

// DefaultProfileRoot is where minipod looks for Localhost profiles.
const DefaultProfileRoot = "/var/lib/minipod/seccomp"

// maxProfileSize bounds a Localhost profile file; docker's default
// profile is under 20 KiB.
const maxProfileSize = 1 << 20

// nodeSetting is the key of the node default in /etc/minipod/config.
const nodeSetting = "seccomp-default"

// Choose returns the seccomp section for a container's OCI config, nil
// meaning unconfined. kind and localhost are the container's
// securityContext.seccompProfile (or the pod's when the container sets
// none); an empty kind takes the node default (NodeDefault). spec is the
// container's OCI spec so far: its bounding capabilities decide which
// capability-gated groups of the default profile apply, as in docker and
// containerd. Localhost profiles are docker's JSON format, read from
// localhost resolved inside profileRoot.
func Choose(kind, localhost, profileRoot string, spec *specs.Spec) (*specs.LinuxSeccomp, error) {
	if localhost != "" && kind != Localhost {
		return nil, fmt.Errorf("seccompProfile localhostProfile %q needs type %s, not %q", localhost, Localhost, kind)
	}
	if kind == "" {
		k, err := NodeDefault()
		if err != nil {
			return nil, err
		}
		kind = k
	}
	switch kind {
	case Unconfined:
		return nil, nil
	case RuntimeDefault:
		s, err := moby.GetDefaultProfile(withCaps(spec))
		if err != nil {
			return nil, fmt.Errorf("build default seccomp profile: %w", err)
		}
		return s, nil
	case Localhost:
		return readLocalhost(localhost, profileRoot, spec)
	}
	return nil, fmt.Errorf("unknown seccompProfile type %q (want %s, %s or %s)", kind, RuntimeDefault, Unconfined, Localhost)
}

// NodeDefault is the node setting seccomp-default: RuntimeDefault unless
// set to Unconfined. Kubernetes' own default is Unconfined (kubelet's
// --seccomp-default turns RuntimeDefault on); minipod's is the safe one.
func NodeDefault() (string, error) {
	v, err := nodeconfig.String(nodeSetting, RuntimeDefault)
	if err != nil {
		return "", err
	}
	if v != RuntimeDefault && v != Unconfined {
		return "", fmt.Errorf("node setting %s = %q in %s: must be %s or %s", nodeSetting, v, nodeconfig.File(), RuntimeDefault, Unconfined)
	}
	return v, nil
}

// withCaps returns spec, or an empty one when spec has no capabilities:
// moby's profile code reads Process.Capabilities.Bounding unguarded.
func withCaps(spec *specs.Spec) *specs.Spec {
	if spec != nil && spec.Process != nil && spec.Process.Capabilities != nil {
		return spec
	}
	return &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{}}}
}

// readLocalhost reads and checks a Localhost profile. The path comes from
// a manifest, so it must be relative and free of "..", and it is resolved
// by the kernel inside profileRoot (openat2 RESOLVE_IN_ROOT), so no
// symlink leads out either.
func readLocalhost(rel, profileRoot string, spec *specs.Spec) (*specs.LinuxSeccomp, error) {
	if err := checkRelative(rel); err != nil {
		return nil, err
	}
	data, err := readInRoot(profileRoot, rel)
	if err != nil {
		return nil, fmt.Errorf("read seccomp profile %s: %w", rel, err)
	}
	s, err := moby.LoadProfile(string(data), withCaps(spec))
	if err != nil {
		return nil, fmt.Errorf("load seccomp profile %s: %w", rel, err)
	}
	// An empty profile means unconfined, as docker and containerd read it.
	if s != nil {
		if err := Validate(s); err != nil {
			return nil, fmt.Errorf("seccomp profile %s: %w", rel, err)
		}
	}
	return s, nil
}

func checkRelative(rel string) error {
	if rel == "" {
		return fmt.Errorf("seccompProfile type %s needs localhostProfile", Localhost)
	}
	if filepath.IsAbs(rel) {
		return fmt.Errorf("seccomp localhostProfile %q must be relative", rel)
	}
	for _, part := range strings.Split(rel, "/") {
		if part == ".." {
			return fmt.Errorf("seccomp localhostProfile %q must not contain ..", rel)
		}
	}
	return nil
}

// readInRoot reads the regular file rel inside root.
func readInRoot(root, rel string) ([]byte, error) {
	dir, err := os.OpenFile(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	h, err := pathrs.OpenatInRoot(dir, rel)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	// Checked on the O_PATH handle, before an open that a FIFO would block.
	st, err := h.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := pathrs.Reopen(h, unix.O_RDONLY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxProfileSize+1))
	if err == nil && len(data) > maxProfileSize {
		err = fmt.Errorf("larger than %d bytes", maxProfileSize)
	}
	return data, err
}
