// Package nodeconfig reads minipod's node settings: the file
// /etc/minipod/config, one `key = value` per line (# starts a comment), and
// for each key an environment variable MINIPOD_<KEY> (upper case, '-' as
// '_') that wins over the file. Settings are node policy: the pod network,
// registries allowed over plain HTTP, the default seccomp profile, log
// rotation. Every package reads its own keys; unknown keys are ignored so
// that one file serves them all. It is a leaf package.
package nodeconfig
