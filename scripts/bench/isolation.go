package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// isolationCost times up -d, exec and down of the same pod three ways, in
// one interleaved run so that the machine's drift hits all alike: the
// baseline binary (before cgroups and seccomp), the current one with the
// seccomp node default turned off (cgroups alone), and the current one
// as shipped (cgroups and seccomp).
func (b *bench) isolationCost(baseline string, runs int) {
	if baseline == "" {
		fmt.Println("isolation cost           skipped (no -baseline binary)")
		return
	}
	variants := []struct {
		name string
		bin  string
		env  []string
	}{
		{"baseline", baseline, nil},
		{"cgroups", b.bin, []string{"MINIPOD_SECCOMP_DEFAULT=Unconfined"}},
		{"cgroups+seccomp", b.bin, nil},
	}
	times := make([][3][]time.Duration, len(variants))
	for i := 0; i < runs; i++ {
		for v, vr := range variants {
			name := fmt.Sprintf("bench-iso-%d-%d-%d", os.Getpid(), v, i)
			up := b.timeWith(vr.bin, vr.env, "up", "-d", b.manifest(name))
			ex := b.timeWith(vr.bin, vr.env, "exec", name, "--", "true")
			down := b.timeWith(vr.bin, vr.env, "down", name)
			times[v][0] = append(times[v][0], up)
			times[v][1] = append(times[v][1], ex)
			times[v][2] = append(times[v][2], down)
		}
	}
	for k, what := range []string{"up -d", "exec -- true", "down"} {
		base := median(times[0][k])
		for v, vr := range variants {
			m := median(times[v][k])
			fmt.Printf("%-24s %-16s median %6.1f ms  (%+.1f ms vs baseline)\n", what, vr.name, ms(m), ms(m)-ms(base))
		}
	}
}

func (b *bench) timeWith(bin string, env []string, args ...string) time.Duration {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
		os.Exit(1)
	}
	return d
}
