// Command mksyscalls writes pkg/seccomp's syscall table: every syscall name
// known on one of the ABIs minipod filters, with its number on each.
//
// Sources, both reproducible on a Debian build machine:
//   - x86_64, i386, aarch64 and arm: golang.org/x/sys/unix's
//     zsysnum_linux_{amd64,386,arm64,arm}.go in the module cache (the version
//     in go.mod), themselves generated from the kernel's uapi headers.
//   - x32: derived from the x86_64 table. The kernel's syscall_64.tbl marks
//     each entry common, 64 or x32; x/sys keeps only the numbers. Which
//     entries are 64-only is read from the kernel headers of linux-libc-dev
//     (asm/unistd_64.h minus asm/unistd_x32.h). That set is closed: since
//     Linux 5.x the kernel adds every new syscall as common and reserves
//     512-547 for the historical x32 variants, so an x86_64 syscall newer
//     than the headers is an x32 syscall too. Every number in unistd_x32.h
//     is checked against the derived one.
//   - arm's private syscalls (__ARM_NR_*, arch/arm/include/uapi/asm/unistd.h)
//     and the sync_file_range2 alias, which x/sys does not list.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Column order of the generated table; pkg/seccomp's abi columns match it.
var columns = []string{"x86_64", "x32", "i386", "aarch64", "arm"}

const x32Bit = 0x40000000

// notSyscalls are __NR_ constants of the uapi headers that are not
// syscalls: a number base (arm64) and a mask (arm).
var notSyscalls = []string{"arch_specific_syscall", "syscall_mask"}

// armPrivate are arm's __ARM_NR_BASE (0x0f0000) syscalls and the alias the
// arm uapi header defines; libseccomp knows them by these names.
var armPrivate = map[string]int64{
	"breakpoint":       0x0f0001,
	"cacheflush":       0x0f0002,
	"usr26":            0x0f0003,
	"usr32":            0x0f0004,
	"set_tls":          0x0f0005,
	"get_tls":          0x0f0006,
	"sync_file_range2": 341, // #define __NR_sync_file_range2 __NR_arm_sync_file_range
}

func main() {
	out := flag.String("o", "zsyscalls.go", "output file")
	xsys := flag.String("xsys", "", "golang.org/x/sys directory (default: from go list)")
	headers := flag.String("headers", "/usr/include/x86_64-linux-gnu/asm", "directory with unistd_64.h and unistd_x32.h (linux-libc-dev)")
	flag.Parse()
	if *xsys == "" {
		*xsys = moduleDir("golang.org/x/sys")
	}
	tables, err := readTables(*xsys, *headers)
	if err != nil {
		log.Fatal(err)
	}
	src, err := render(tables)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func moduleDir(mod string) string {
	b, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	if err != nil {
		log.Fatalf("find %s: %v", mod, err)
	}
	dir := strings.TrimSpace(string(b))
	if dir == "" {
		log.Fatalf("find %s: not in the module cache (go mod download %s)", mod, mod)
	}
	return dir
}

// readTables returns one name→number map per column.
func readTables(xsys, headers string) ([]map[string]int64, error) {
	get := func(goarch string) (map[string]int64, error) {
		return parse(filepath.Join(xsys, "unix", "zsysnum_linux_"+goarch+".go"), `^\s*SYS_([A-Z0-9_]+)\s*=\s*(\d+)`, strings.ToLower)
	}
	amd64, err := get("amd64")
	if err != nil {
		return nil, err
	}
	i386, err := get("386")
	if err != nil {
		return nil, err
	}
	arm64, err := get("arm64")
	if err != nil {
		return nil, err
	}
	arm, err := get("arm")
	if err != nil {
		return nil, err
	}
	for name, nr := range armPrivate {
		arm[name] = nr
	}
	x32, err := deriveX32(amd64, headers)
	if err != nil {
		return nil, err
	}
	tables := []map[string]int64{amd64, x32, i386, arm64, arm}
	for _, t := range tables {
		for _, name := range notSyscalls {
			delete(t, name)
		}
	}
	return tables, nil
}

func deriveX32(amd64 map[string]int64, headers string) (map[string]int64, error) {
	same := func(s string) string { return s }
	h64, err := parse(filepath.Join(headers, "unistd_64.h"), `^#define __NR_(\w+)\s+(\d+)`, same)
	if err != nil {
		return nil, err
	}
	hx32, err := parse(filepath.Join(headers, "unistd_x32.h"), `^#define __NR_(\w+)\s+\(__X32_SYSCALL_BIT \+ (\d+)\)`, same)
	if err != nil {
		return nil, err
	}
	x32 := map[string]int64{}
	for name, nr := range amd64 {
		_, inHeaders := h64[name]
		if _, isX32 := hx32[name]; inHeaders && !isX32 {
			continue // 64-only in the kernel's table
		}
		x32[name] = nr | x32Bit
	}
	for name, nr := range hx32 {
		if nr >= 512 {
			x32[name] = nr | x32Bit
		}
	}
	for name, nr := range hx32 {
		if x32[name] != nr|x32Bit {
			return nil, fmt.Errorf("x32 %s: derived %#x, headers say %#x", name, x32[name], nr|x32Bit)
		}
	}
	return x32, nil
}

func parse(path, pattern string, name func(string) string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read syscall numbers: %w", err)
	}
	defer f.Close()
	re := regexp.MustCompile(pattern)
	m := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if g := re.FindStringSubmatch(sc.Text()); g != nil {
			n, err := strconv.ParseInt(g[2], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", path, err)
			}
			m[name(g[1])] = n
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(m) < 100 {
		return nil, fmt.Errorf("read %s: only %d syscalls found", path, len(m))
	}
	return m, nil
}

func render(tables []map[string]int64) ([]byte, error) {
	seen := map[string]bool{}
	for _, t := range tables {
		for name := range t {
			seen[name] = true
		}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sort.Strings(names)
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/mksyscalls; DO NOT EDIT.\n\npackage seccomp\n\n")
	fmt.Fprintf(&b, "// syscallTable holds %d names sorted for binary search; the columns are %s; -1 means absent on that ABI.\n", len(names), strings.Join(columns, ", "))
	fmt.Fprintf(&b, "var syscallTable = [...]sysEntry{\n")
	for _, name := range names {
		fmt.Fprintf(&b, "\t{%q, [numABIs]int32{", name)
		for i, t := range tables {
			if i > 0 {
				b.WriteString(", ")
			}
			if nr, ok := t[name]; ok {
				fmt.Fprintf(&b, "%#x", nr)
			} else {
				b.WriteString("-1")
			}
		}
		b.WriteString("}},\n")
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
