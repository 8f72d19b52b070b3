package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// swapperSource is a hostile container's tool that busybox lacks: it
// swaps two names of a directory with renameat2(RENAME_EXCHANGE) as fast
// as it can, so that at any instant each name is one of the two objects
// (never missing), and a privileged walker that looks a name up twice
// (once to decide, once to act) sees two different things.
//
//	swap DIR A B SECONDS       swap DIR/A and DIR/B for SECONDS
//	swap -mkfiles DIR N MODE   make DIR with N empty files f0000.. of MODE
//
// It is built static by the test and handed to the container through a
// volume: root in a container can run any binary it likes.
const swapperSource = `package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

func main() {
	if os.Args[1] == "-mkfiles" {
		n, _ := strconv.Atoi(os.Args[3])
		mode, _ := strconv.ParseUint(os.Args[4], 8, 32)
		if err := os.MkdirAll(os.Args[2], 0o755); err != nil {
			panic(err)
		}
		for i := 0; i < n; i++ {
			f := fmt.Sprintf("%s/f%04d", os.Args[2], i)
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				panic(err)
			}
			if err := syscall.Chmod(f, uint32(mode)); err != nil {
				panic(err)
			}
		}
		return
	}
	if err := os.Chdir(os.Args[1]); err != nil {
		panic(err)
	}
	a, _ := syscall.BytePtrFromString(os.Args[2])
	b, _ := syscall.BytePtrFromString(os.Args[3])
	secs, _ := strconv.Atoi(os.Args[4])
	fmt.Println("swapping")
	end := time.Now().Add(time.Duration(secs) * time.Second)
	atFDCWD := -100
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			// renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
			_, _, e := syscall.Syscall6(316, uintptr(atFDCWD), uintptr(unsafe.Pointer(a)),
				uintptr(atFDCWD), uintptr(unsafe.Pointer(b)), 2, 0)
			if e != 0 {
				fmt.Println("renameat2:", e)
				os.Exit(1)
			}
		}
	}
}
`

// swapper builds the swap tool in the test's temporary directory and
// returns its path.
func swapper(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(swapperSource), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module swapper\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "swap"), ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the swap tool: %v\n%s", err, out)
	}
	return filepath.Join(dir, "swap")
}

// claimDir finds the host directory of claim name's volume.
func claimDir(t *testing.T, claim string) string {
	t.Helper()
	dirs, _ := filepath.Glob("/var/lib/minipod/volumes/pvc-*_default_" + claim)
	if len(dirs) != 1 {
		t.Fatalf("volume directories of claim %s: %v", claim, dirs)
	}
	return dirs[0]
}

// copyInto copies the host file src to dst with mode 0755.
func copyInto(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeProgram(t, dst, b, 0o755)
}

// writeProgram writes a file this test binary will execute, with no fork
// in the test process while it is open for writing: a child forked then
// (by a test running in parallel) holds the descriptor until it execs,
// and executing the file meanwhile fails with "text file busy".
func writeProgram(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	syscall.ForkLock.RLock()
	err := os.WriteFile(path, data, mode)
	syscall.ForkLock.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
}

// victimFiles makes n root-owned 0600 files f0000.. in a fresh host
// directory (outside every pod) and returns it.
func victimFiles(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i < n; i++ {
		if err := os.WriteFile(filepath.Join(dir, fname(i)), []byte("host secret\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fname(i int) string {
	const digits = "0123456789"
	return "f" + string([]byte{digits[i/1000%10], digits[i/100%10], digits[i/10%10], digits[i%10]})
}
