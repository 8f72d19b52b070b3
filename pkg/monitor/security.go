package monitor

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/minipod/minipod/pkg/ctrinit"
	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/specconv"
	"github.com/minipod/minipod/pkg/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ConfigError is a container that cannot be created as its manifest asks
// (runAsNonRoot with a root image, say): the kubelet's
// CreateContainerConfigError, retried, never a started container.
type ConfigError struct {
	Msg string
	err error // the cause, if any, for errors.Is
	// why is the container's waiting reason when it is not
	// CreateContainerConfigError: CreateContainerError for what the
	// runtime's CreateContainer fails on after the kubelet's own checks
	// passed (a Localhost seccomp profile that cannot be read, say).
	why state.Reason
}

func (e *ConfigError) Error() string { return e.Msg }
func (e *ConfigError) Unwrap() error { return e.err }

// reason is the waiting reason the container shows.
func (e *ConfigError) reason() state.Reason {
	if e.why == "" {
		return state.ReasonCreateContainerConfigError
	}
	return e.why
}

// containerSecurity resolves how container c runs: the image's user with
// runAsUser and runAsGroup over it, the groups as supplementalGroupsPolicy
// says, the capabilities, no_new_privs, privileged, a read-only root and
// the OOM score of the pod's QoS class.
func containerSecurity(pe podEnv, c *podspec.Container, img *image.Image) (specconv.Security, error) {
	sec := podspec.EffectiveSecurity(pe.pod, c)
	user, err := containerUser(sec, img)
	var ce *ConfigError
	if errors.As(err, &ce) && errors.Is(err, podspec.ErrRunAsNonRoot) {
		// The kubelet names the pod as format.Pod does.
		ce.Msg = fmt.Sprintf("%s (pod: %q, container: %s)", ce.Msg, pe.pod.Name+"_"+pe.pod.Namespace+"("+pe.pod.UID+")", c.Name)
	}
	if err != nil {
		return specconv.Security{}, err
	}
	caps, err := containerCaps(sec)
	if err != nil {
		return specconv.Security{}, err
	}
	adj := oomScoreAdj(pe.pod.QOSClass(), c.Requests()[podspec.ResourceMemory], pe.nodeMemory)
	return specconv.Security{
		User:            user,
		Caps:            caps,
		NoNewPrivileges: sec.NoNewPrivileges,
		Privileged:      sec.Privileged,
		ReadOnlyRoot:    sec.ReadOnlyRootFilesystem,
		UnmaskedProc:    sec.ProcMount == podspec.ProcMountUnmasked,
		OOMScoreAdj:     &adj,
	}, nil
}

// containerCaps is the capability set the container's securityContext
// asks for, out of what the monitor holds (nil: specconv's default).
func containerCaps(sec podspec.Security) ([]string, error) {
	all, err := heldCaps()
	if err != nil {
		return nil, err
	}
	return sec.CapabilitySet(specconv.DefaultCaps, all), nil
}

// plannedCaps is the bounding set containerSecurity and specconv will
// give c, from the manifest alone.
func plannedCaps(p *podspec.Pod, c *podspec.Container) ([]string, error) {
	sec := podspec.EffectiveSecurity(p, c)
	caps, err := containerCaps(sec)
	if err != nil {
		return nil, err
	}
	return specconv.Security{Caps: caps, Privileged: sec.Privileged}.BoundingCaps(), nil
}

// plannedMayTrace says whether c's processes may hold CAP_SYS_PTRACE: in
// the bounding set its manifest plans for it (the set its config.json
// will hold), or one that cannot be worked out.
func plannedMayTrace(p *podspec.Pod, c *podspec.Container) bool {
	caps, err := plannedCaps(p, c)
	return err != nil || slices.Contains(caps, "CAP_SYS_PTRACE")
}

// containerUser is the user, group and supplementary groups of the
// container's processes, as containerd resolves them for the kubelet.
func containerUser(sec podspec.Security, img *image.Image) (specs.User, error) {
	uid, gid, err := img.ResolveUser()
	if err != nil {
		return specs.User{}, &ConfigError{Msg: fmt.Sprintf("image user %q: %v", img.Config.User, err)}
	}
	imgUID, imgName := imageUserID(img.Config.User)
	if err := sec.VerifyRunAsNonRoot(imgUID, imgName); err != nil {
		return specs.User{}, &ConfigError{Msg: err.Error(), err: err}
	}
	if sec.RunAsUser != nil {
		uid = uint32(*sec.RunAsUser)
		gid = img.PrimaryGroup(uid)
	}
	if sec.RunAsGroup != nil {
		gid = uint32(*sec.RunAsGroup)
	}
	var groups []uint32
	if sec.SupplementalGroupsPolicy != podspec.SupplementalGroupsPolicyStrict {
		groups = append(groups, img.UserGroups(uid)...)
	}
	for _, g := range sec.SupplementalGroups {
		groups = append(groups, uint32(g))
	}
	slices.Sort(groups)
	return specs.User{UID: uid, GID: gid, AdditionalGids: slices.Compact(groups)}, nil
}

// imageUserID is the image's user as the kubelet checks runAsNonRoot: its
// numeric uid (0 when the image names none), or nil and the name.
func imageUserID(user string) (*int64, string) {
	name, _, _ := strings.Cut(user, ":")
	if name == "" {
		zero := int64(0)
		return &zero, ""
	}
	if n, err := strconv.ParseInt(name, 10, 64); err == nil {
		return &n, ""
	}
	return nil, name
}

// podSysctls are the pod's sysctls, which pause sets in the pod's
// namespaces (validation allowed only namespaced, allowlisted ones).
func podSysctls(p *podspec.Pod) map[string]string {
	if p.Spec.SecurityContext == nil || len(p.Spec.SecurityContext.Sysctls) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, s := range p.Spec.SecurityContext.Sysctls {
		out[s.Name] = s.Value
	}
	return out
}

// processUser is the identity a container's process starts with, for its
// status: the groups are those it gets (its gid and the additional ones).
func processUser(u specs.User) *state.User {
	groups := []int64{int64(u.GID)}
	for _, g := range u.AdditionalGids {
		groups = append(groups, int64(g))
	}
	slices.Sort(groups)
	return &state.User{UID: int64(u.UID), GID: int64(u.GID), Groups: slices.Compact(groups)}
}

// heldCaps is what the monitor holds: every capability a container of
// this node can be given.
var heldCaps = sync.OnceValues(ctrinit.HeldCaps)
