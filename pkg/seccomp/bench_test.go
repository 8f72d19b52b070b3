package seccomp

import (
	"encoding/json"
	"strconv"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/minipod/minipod/pkg/testutil"
)

// The start-path costs of a container: up chooses and writes the
// profile into config.json, init decodes it, compiles and loads.

func BenchmarkChoose(b *testing.B) {
	spec := specWithCaps(defaultCaps...)
	for b.Loop() {
		if _, err := Choose(RuntimeDefault, "", "", spec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	s := runtimeDefault(b, defaultCaps...)
	var p *Program
	for b.Loop() {
		var err error
		if p, err = Compile(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.Len()), "insns")
}

func BenchmarkChooseCompile(b *testing.B) {
	spec := specWithCaps(defaultCaps...)
	for b.Loop() {
		s, err := Choose(RuntimeDefault, "", "", spec)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	s := runtimeDefault(b, defaultCaps...)
	for b.Loop() {
		if err := Validate(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalJSON(b *testing.B) {
	s := runtimeDefault(b, defaultCaps...)
	var data []byte
	for b.Loop() {
		var err error
		if data, err = json.Marshal(s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "json-bytes")
}

// BenchmarkUnmarshalJSON is init's side: the seccomp section of
// config.json back into a LinuxSeccomp.
func BenchmarkUnmarshalJSON(b *testing.B) {
	data, err := json.Marshal(runtimeDefault(b, defaultCaps...))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var s specs.LinuxSeccomp
		if err := json.Unmarshal(data, &s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "json-bytes")
}

// BenchmarkSyscallCost reports what RuntimeDefault adds to a syscall,
// timed in a helper child on its own filtered thread: getppid (allowed
// whatever its arguments, so the kernel's per-number cache skips the
// filter) and personality(0xffffffff) (argument rules: the filter runs).
// ns/op is the filter's cost on personality.
func BenchmarkSyscallCost(b *testing.B) {
	testutil.RequiresRoot(b)
	got, err := runHelper(b, "cost", helperLoopEnv+"="+strconv.Itoa(max(b.N, 10000)))
	if err != nil {
		b.Fatalf("helper: %v", err)
	}
	ns := func(k string) float64 {
		v, err := strconv.ParseFloat(got[k], 64)
		if err != nil {
			b.Fatalf("%s: %q", k, got[k])
		}
		return v
	}
	b.ReportMetric(ns("bare_getppid"), "ns/getppid-bare")
	b.ReportMetric(ns("filtered_getppid"), "ns/getppid-filtered")
	b.ReportMetric(ns("bare_personality"), "ns/personality-bare")
	b.ReportMetric(ns("filtered_personality"), "ns/personality-filtered")
	b.ReportMetric(ns("filtered_personality")-ns("bare_personality"), "ns/op")
}

// BenchmarkLoad reports Load of RuntimeDefault in a helper child: the
// kernel copies, checks, translates and JIT-compiles the program and
// precomputes its per-number cache, so the cost grows with the program.
// ns/op is the mean over b.N loads on fresh threads; ns/load-cold is the
// process's first load, as in container init.
func BenchmarkLoad(b *testing.B) {
	testutil.RequiresRoot(b)
	got, err := runHelper(b, "loadtime", helperLoopEnv+"="+strconv.Itoa(b.N))
	if err != nil {
		b.Fatalf("helper: %v", err)
	}
	for k, unit := range map[string]string{"cold": "ns/load-cold", "warm": "ns/op", "insns": "insns"} {
		v, err := strconv.ParseFloat(got[k], 64)
		if err != nil {
			b.Fatalf("%s: %q", k, got[k])
		}
		b.ReportMetric(v, unit)
	}
}

// BenchmarkDecodeCompile is init's whole user-space share: the seccomp
// section out of config.json's bytes, then Compile.
func BenchmarkDecodeCompile(b *testing.B) {
	data, err := json.Marshal(runtimeDefault(b, defaultCaps...))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var s specs.LinuxSeccomp
		if err := json.Unmarshal(data, &s); err != nil {
			b.Fatal(err)
		}
		if _, err := Compile(&s); err != nil {
			b.Fatal(err)
		}
	}
}
