package specconv

import (
	"strconv"
	"strings"

	"github.com/minipod/minipod/pkg/mounts"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// inUserNS fits s to a pod with a user namespace of its own: its id
// mappings, and the filesystems init mounts as the host's root (before its
// command joins the namespace) owned by the namespace's root, as they would
// be had it mounted them inside: /dev and other tmpfs by uid and gid 0,
// devpts' terminals by uid 0 and the tty group's id in the namespace.
//
// Every bind mount is idmapped by the namespace (IDMapOption), but for
// image volumes, whose overlay the monitor stacks from idmapped layers
// already (an overlay cannot be idmapped itself).
func inUserNS(s *specs.Spec, ids specs.LinuxIDMapping, vols map[string]Volume) {
	s.Linux.UIDMappings = []specs.LinuxIDMapping{ids}
	s.Linux.GIDMappings = []specs.LinuxIDMapping{ids}
	images := map[string]bool{}
	for _, v := range vols {
		if v.Image {
			images[v.Dir] = true
		}
	}
	for i, m := range s.Mounts {
		switch m.Type {
		case "bind":
			if !images[m.Source] {
				s.Mounts[i].Options = append(m.Options, mounts.IDMapOption)
			}
		case "tmpfs":
			s.Mounts[i].Options = append(withoutIDs(m.Options), hostIDOption("uid", 0, ids), hostIDOption("gid", 0, ids))
		case "devpts":
			// Terminals are opened by init and the monitor, as the
			// host's root: new ones belong to the namespace's root.
			s.Mounts[i].Options = append(shiftGID(m.Options, ids), hostIDOption("uid", 0, ids))
		}
	}
}

// withoutIDs drops uid= and gid= options (none of minipod's tmpfs mounts
// has any: ownership is inUserNS's to set).
func withoutIDs(opts []string) []string {
	out := make([]string, 0, len(opts)+2)
	for _, o := range opts {
		if !strings.HasPrefix(o, "uid=") && !strings.HasPrefix(o, "gid=") {
			out = append(out, o)
		}
	}
	return out
}

// shiftGID maps devpts' gid= option into the namespace's host ids.
func shiftGID(opts []string, ids specs.LinuxIDMapping) []string {
	out := make([]string, 0, len(opts))
	for _, o := range opts {
		if g, ok := strings.CutPrefix(o, "gid="); ok {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil && uint32(n) < ids.Size {
				o = hostIDOption("gid", uint32(n), ids)
			}
		}
		out = append(out, o)
	}
	return out
}

func hostIDOption(name string, id uint32, ids specs.LinuxIDMapping) string {
	return name + "=" + strconv.FormatUint(uint64(ids.HostID+id), 10)
}
