package podspec

// checkImageVolume applies the API server's rules for an image volume
// (validateImageVolumeSource, v1.35): a reference, required of a Pod, in
// no particular format (the node finds out, as for a container's image
// bar its whitespace rule), and a known pull policy. Mounts of the
// volume have no rules of their own: subPath is allowed, and readOnly
// false is taken, though the mount is read-only whatever it says.
func checkImageVolume(src *ImageVolumeSource, path string) []error {
	var errs errList
	if src.Reference == "" {
		errs.add(required(path+".reference", ""))
	}
	switch src.PullPolicy { // defaulted before: never empty
	case "Always", "IfNotPresent", "Never":
	default:
		errs.add(unsupported(path+".pullPolicy", src.PullPolicy, "Always", "IfNotPresent", "Never"))
	}
	return errs
}
