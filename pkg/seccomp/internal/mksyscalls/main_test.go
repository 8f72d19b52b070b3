package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// headers writes unistd_64.h and unistd_x32.h for amd64's entries: every
// entry in both, except the 64-only ones; x32Only entries (512-547) in
// the x32 header only. 100 filler syscalls satisfy parse's sanity bound.
func headers(t *testing.T, amd64 map[string]int64, only64 []string, x32Only map[string]int64) string {
	t.Helper()
	for i := 0; i < 100; i++ {
		amd64[fmt.Sprintf("filler%d", i)] = int64(200 + i)
	}
	var h64, hx32 strings.Builder
	for name, nr := range amd64 {
		fmt.Fprintf(&h64, "#define __NR_%s %d\n", name, nr)
		if !contains(only64, name) {
			fmt.Fprintf(&hx32, "#define __NR_%s (__X32_SYSCALL_BIT + %d)\n", name, nr)
		}
	}
	for name, nr := range x32Only {
		fmt.Fprintf(&hx32, "#define __NR_%s (__X32_SYSCALL_BIT + %d)\n", name, nr)
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"unistd_64.h": h64.String(), "unistd_x32.h": hx32.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDeriveX32(t *testing.T) {
	amd64 := map[string]int64{"read": 0, "ioctl": 16, "uselib": 134}
	dir := headers(t, amd64, []string{"ioctl", "uselib"}, map[string]int64{"ioctl": 514})
	// x/sys knows a syscall newer than the headers: the kernel adds new
	// syscalls as common, so it is an x32 syscall too.
	amd64["cachestat"] = 451
	x32, err := deriveX32(amd64, dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, nr := range map[string]int64{"read": x32Bit, "ioctl": x32Bit | 514, "cachestat": x32Bit | 451} {
		if x32[name] != nr {
			t.Errorf("%s = %#x, want %#x", name, x32[name], nr)
		}
	}
	if _, ok := x32["uselib"]; ok {
		t.Error("uselib is 64-only, yet in the x32 table")
	}
	// A header number the derivation does not reproduce is an error.
	amd64["read"] = 3
	if _, err := deriveX32(amd64, dir); err == nil {
		t.Error("a mismatch with the headers went unnoticed")
	}
}
