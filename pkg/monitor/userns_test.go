package monitor

import (
	"testing"

	"github.com/minipod/minipod/pkg/state"
)

func TestPickUserNS(t *testing.T) {
	r, err := pickUserNS(nil)
	if err != nil || *r != (state.IDRange{HostID: 65536, Size: 65536}) {
		t.Fatalf("first pod: %v %v", r, err)
	}
	r, err = pickUserNS([]*state.IDRange{nil, {HostID: 65536, Size: 65536}, {HostID: 196608, Size: 65536}})
	if err != nil || r.HostID != 131072 {
		t.Fatalf("with 1 and 3 held: %v %v, want the block at 131072", r, err)
	}
	var all []*state.IDRange
	for b := uint32(1); b <= userNSBlocks; b++ {
		all = append(all, &state.IDRange{HostID: b * userNSLength, Size: userNSLength})
	}
	if r, err := pickUserNS(all); err == nil {
		t.Fatalf("every block held, got %v", r)
	}
	if last := all[len(all)-1]; uint64(last.HostID)+uint64(last.Size) >= 1<<32 {
		t.Fatalf("the last block %v reaches 2^32: its uid_map line would wrap", last)
	}
}
