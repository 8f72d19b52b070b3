package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// isolationCost times up -d, exec and down of the same pod three ways: the
// baseline binary (before cgroups and seccomp), the current one with the
// seccomp node default turned off (cgroups alone), and the current one as
// shipped (cgroups and seccomp). The variants run in blocks, not pod by
// pod, because they leave the shared nftables table in different shapes
// (the baseline removes it with its last pod, the current one keeps it)
// and each would pay for undoing the other's; the first run of each block
// settles that and is not counted. Two rounds of blocks spread the
// machine's drift over all three.
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
	for round := 0; round < 2; round++ {
		for v, vr := range variants {
			for i := 0; i <= runs/2; i++ {
				name := fmt.Sprintf("bench-iso-%d-%d-%d-%d", os.Getpid(), round, v, i)
				up := b.timeWith(vr.bin, vr.env, "up", "-d", b.manifest(name))
				ex := b.timeWith(vr.bin, vr.env, "exec", name, "--", "true")
				down := b.timeWith(vr.bin, vr.env, "down", name)
				if i == 0 {
					continue // the block's warm-up
				}
				times[v][0] = append(times[v][0], up)
				times[v][1] = append(times[v][1], ex)
				times[v][2] = append(times[v][2], down)
			}
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
