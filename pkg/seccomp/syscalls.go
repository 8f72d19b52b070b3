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
	i := sort.Search(len(syscallTable), func(i int) bool { return syscallTable[i].name >= name })
	if i < len(syscallTable) && syscallTable[i].name == name {
		return &syscallTable[i].nr
	}
	return nil
}
