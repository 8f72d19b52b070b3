package podspec

import (
	"fmt"
	"slices"
	"strings"
)

// volumePathWarnings: the API server's warning for items of one volume
// (configMap, secret, downwardAPI, and across a projected volume's
// sources) whose paths collide: the same path, or one inside the other,
// so that one file overwrites another or cannot be made.
func volumePathWarnings(vols []Volume) []string {
	var w []string
	for _, v := range vols {
		switch {
		case v.ConfigMap != nil:
			w = append(w, pathOverlaps(keyPaths(v.ConfigMap.Items), fmt.Sprintf("volume %q (ConfigMap %q)", v.Name, v.ConfigMap.Name))...)
		case v.Secret != nil:
			w = append(w, pathOverlaps(keyPaths(v.Secret.Items), fmt.Sprintf("volume %q (Secret %q)", v.Name, v.Secret.SecretName))...)
		case v.DownwardAPI != nil:
			w = append(w, pathOverlaps(filePaths(v.DownwardAPI.Items), fmt.Sprintf("volume %q (DownwardAPI)", v.Name))...)
		case v.Projected != nil:
			w = append(w, projectedOverlaps(v.Name, v.Projected.Sources)...)
		}
	}
	return w
}

// projectedOverlaps checks each source's paths on their own, then with
// those of the sources before it (sorted, each path once).
func projectedOverlaps(volume string, sources []VolumeProjection) []string {
	var w, before []string
	for _, s := range sources {
		var paths []string
		var what string
		switch {
		case s.ConfigMap == nil && s.Secret == nil && s.DownwardAPI == nil && s.ServiceAccountToken == nil && s.ClusterTrustBundle == nil && s.PodCertificate == nil:
			w = append(w, fmt.Sprintf("volume %q (Projected) has no sources provided", volume))
			continue
		case s.ConfigMap != nil:
			paths, what = keyPaths(s.ConfigMap.Items), fmt.Sprintf("volume %q (Projected ConfigMap %q)", volume, s.ConfigMap.Name)
		case s.Secret != nil:
			paths, what = keyPaths(s.Secret.Items), fmt.Sprintf("volume %q (Projected Secret %q)", volume, s.Secret.Name)
		case s.DownwardAPI != nil:
			paths, what = filePaths(s.DownwardAPI.Items), fmt.Sprintf("volume %q (Projected DownwardAPI)", volume)
		}
		if len(paths) == 0 {
			continue
		}
		w = append(w, pathOverlaps(paths, what)...)
		own := slices.Compact(slices.Sorted(slices.Values(paths)))
		all := append(slices.Clone(own), before...)
		slices.Sort(all)
		w = append(w, pathOverlaps(all, what)...)
		for _, p := range own {
			if !slices.Contains(before, p) {
				before = append(before, p)
			}
		}
	}
	return w
}

// pathOverlaps names each path (trailing slashes dropped) that collides
// with one listed before it: equal, or one a leading part of the other.
func pathOverlaps(paths []string, what string) []string {
	var w, seen []string
	for _, p := range paths {
		p = strings.TrimRight(p, "/")
		if with, ok := overlapping(seen, p); ok {
			w = append(w, fmt.Sprintf("%s: overlapping paths: %q with %q", what, p, with))
		}
		if !slices.Contains(seen, p) {
			seen = append(seen, p)
		}
	}
	return w
}

// overlapping finds the first of seen that p collides with. As the API
// server compares them (as strings, "a" collides with "ab/c" too), and an
// empty path collides with nothing.
func overlapping(seen []string, p string) (string, bool) {
	for _, s := range seen {
		switch {
		case s == "" || p == "":
			return "", false
		case s == p, strings.HasPrefix(s+"/", p), strings.HasPrefix(p+"/", s):
			return s, true
		}
	}
	return "", false
}

func keyPaths(items []KeyToPath) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Path)
	}
	return out
}

func filePaths(items []DownwardAPIVolumeFile) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Path)
	}
	return out
}
