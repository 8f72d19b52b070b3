package lean

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// NoHugePages withdraws the runtime's request for transparent huge pages
// (MADV_HUGEPAGE) from its own structures: with the node's THP in madvise
// mode, khugepaged collapsed one of them into a 2 MiB page some seconds
// after a monitor started, more than its whole heap. GODEBUG=disablethp
// covers the heap only. The flag is not inherited by anything (a
// process-wide PR_SET_THP_DISABLE would be, down to every container).
func NoHugePages() {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	defer f.Close()
	var start, end uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if s, e, ok := rangeOf(line); ok {
			start, end = s, e
			continue
		}
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && hasFlag(flags, "hg") {
			_ = madvise(uintptr(start), uintptr(end-start), unix.MADV_NOHUGEPAGE)
		}
	}
}

// rangeOf reads the address range that starts a mapping's block.
func rangeOf(line string) (uint64, uint64, bool) {
	addr, _, _ := strings.Cut(line, " ")
	lo, hi, ok := strings.Cut(addr, "-")
	if !ok {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	return s, e, err1 == nil && err2 == nil && e > s
}

func hasFlag(flags, f string) bool {
	for _, x := range strings.Fields(flags) {
		if x == f {
			return true
		}
	}
	return false
}

// NoTHP keeps transparent huge pages out of the whole process, whatever
// the runtime asks for later. Pause runs with the collector off (GOGC=off):
// the end of a cycle then sees an unbounded heap goal and marks the 32 MiB
// arena index MADV_HUGEPAGE, which khugepaged collapsed into a 2 MiB page
// seconds later, tripling pause's memory. NoHugePages, run at start, cannot
// undo a request made after it. The flag is inherited by children and kept
// across execve, so only a process that starts nothing may set it: pause.
func NoTHP() {
	_ = unix.Prctl(unix.PR_SET_THP_DISABLE, 1, 0, 0, 0)
}
