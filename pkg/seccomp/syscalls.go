package seccomp

//go:generate go run ./internal/mksyscalls -o zsyscalls.go

import "sort"

// Columns of syscallTable, one per ABI a filter can cover.
const (
	colX86_64 = iota
	colX32
	colI386
	colAARCH64
	colARM
	numABIs
)

// sysEntry is one syscall name and its number on each ABI (-1: absent).
// The table is a sorted array, not a map, so that it costs nothing at
// process start: every minipod process links this package.
type sysEntry struct {
	name string
	nr   [numABIs]int32
}

// lookup returns name's numbers, or nil if no ABI knows it.
func lookup(name string) *[numABIs]int32 {
	nrs, _ := lookupFrom(name, 0)
	return nrs
}

// lookupFrom is lookup that first tries the few entries from hint on,
// and returns the hint for the next name. Profiles list their names in
// alphabetical order, so the next name is usually just ahead: this halves
// the time Compile spends on names.
func lookupFrom(name string, hint int) (*[numABIs]int32, int) {
	for i := hint; i < len(syscallTable) && i < hint+4; i++ {
		if n := syscallTable[i].name; n == name {
			return &syscallTable[i].nr, i + 1
		} else if n > name {
			break
		}
	}
	i := sort.Search(len(syscallTable), func(i int) bool { return syscallTable[i].name >= name })
	if i < len(syscallTable) && syscallTable[i].name == name {
		return &syscallTable[i].nr, i + 1
	}
	return nil, i
}
