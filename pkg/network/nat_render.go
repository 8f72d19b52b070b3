package network

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"net"
	"strconv"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// The natRenderer turns the handful of expression shapes minipod writes back
// into nft-like text. It exists so that NATRules shows what the kernel
// actually holds (not what minipod meant to write), and so that a rule
// about to be added can be compared with the rules already there.

// natValueKind says how to print the bytes a register holds.
type natValueKind int

const (
	natKindRaw natValueKind = iota
	natKindProto
	natKindPort
	natKindIP
	natKindIfname
	natKindAddrType
	natKindCtStatus // ct status, tested bit by bit
	natKindCtState  // ct state, tested bit by bit
)

// natRegValue is what a register holds while walking a rule: either a loaded
// field (name) or an immediate (data).
type natRegValue struct {
	name   string
	kind   natValueKind
	prefix int // mask length applied by a bitwise, -1 when none
	data   []byte
}

type natRenderer struct {
	regs  map[uint32]natRegValue
	words []string
}

func renderRule(r *nftables.Rule) string {
	rd := &natRenderer{regs: map[uint32]natRegValue{}}
	for _, e := range r.Exprs {
		rd.expr(e)
	}
	if c := ruleComment(r); c != "" {
		rd.words = append(rd.words, "comment", strconv.Quote(c))
	}
	return strings.Join(rd.words, " ")
}

func (rd *natRenderer) load(reg uint32, name string, kind natValueKind) {
	rd.regs[reg] = natRegValue{name: name, kind: kind, prefix: -1}
}

func (rd *natRenderer) expr(e expr.Any) {
	switch e := e.(type) {
	case *expr.Meta:
		rd.meta(e)
	case *expr.Payload:
		rd.payload(e)
	case *expr.Fib:
		rd.fib(e)
	case *expr.Bitwise:
		rd.bitwise(e)
	case *expr.Cmp:
		rd.cmp(e)
	case *expr.Immediate:
		rd.regs[e.Register] = natRegValue{kind: natKindRaw, prefix: -1, data: e.Data}
	case *expr.NAT:
		rd.nat(e)
	case *expr.Masq:
		rd.words = append(rd.words, "masquerade")
	case *expr.Verdict:
		rd.words = append(rd.words, verdictName(e.Kind))
	case *expr.Ct:
		rd.ct(e)
	default:
		rd.words = append(rd.words, fmt.Sprintf("<%T>", e))
	}
}

func (rd *natRenderer) ct(e *expr.Ct) {
	switch e.Key {
	case expr.CtKeySTATUS:
		rd.load(e.Register, "ct status", natKindCtStatus)
	case expr.CtKeySTATE:
		rd.load(e.Register, "ct state", natKindCtState)
	default:
		rd.load(e.Register, fmt.Sprintf("ct key %d", e.Key), natKindRaw)
	}
}

func (rd *natRenderer) meta(e *expr.Meta) {
	switch e.Key {
	case expr.MetaKeyL4PROTO:
		rd.load(e.Register, "meta l4proto", natKindProto)
	case expr.MetaKeyIIFNAME:
		rd.load(e.Register, "iifname", natKindIfname)
	case expr.MetaKeyOIFNAME:
		rd.load(e.Register, "oifname", natKindIfname)
	default:
		rd.load(e.Register, fmt.Sprintf("meta key %d", e.Key), natKindRaw)
	}
}

func (rd *natRenderer) payload(e *expr.Payload) {
	switch {
	case e.Base == expr.PayloadBaseNetworkHeader && e.Offset == 12 && e.Len == 4:
		rd.load(e.DestRegister, "ip saddr", natKindIP)
	case e.Base == expr.PayloadBaseNetworkHeader && e.Offset == 16 && e.Len == 4:
		rd.load(e.DestRegister, "ip daddr", natKindIP)
	case e.Base == expr.PayloadBaseTransportHeader && e.Offset == 0 && e.Len == 2:
		rd.load(e.DestRegister, "th sport", natKindPort)
	case e.Base == expr.PayloadBaseTransportHeader && e.Offset == 2 && e.Len == 2:
		rd.load(e.DestRegister, "th dport", natKindPort)
	default:
		rd.load(e.DestRegister, fmt.Sprintf("payload base %d offset %d len %d", e.Base, e.Offset, e.Len), natKindRaw)
	}
}

func (rd *natRenderer) fib(e *expr.Fib) {
	if e.FlagDADDR && e.ResultADDRTYPE {
		rd.load(e.Register, "fib daddr type", natKindAddrType)
		return
	}
	rd.load(e.Register, "fib", natKindRaw)
}

// bitwise records a prefix mask, or the flags tested in ct status or ct
// state.
func (rd *natRenderer) bitwise(e *expr.Bitwise) {
	v := rd.regs[e.SourceRegister]
	if (v.kind == natKindCtStatus || v.kind == natKindCtState) && len(e.Mask) == 4 {
		v.name += " " + ctFlagNames(v.kind, binary.NativeEndian.Uint32(e.Mask))
		rd.regs[e.DestRegister] = v
		return
	}
	v.prefix = 0
	for _, b := range e.Mask {
		v.prefix += bits.OnesCount8(b)
	}
	rd.regs[e.DestRegister] = v
}

func (rd *natRenderer) cmp(e *expr.Cmp) {
	v := rd.regs[e.Register]
	if (v.kind == natKindCtStatus || v.kind == natKindCtState) && e.Op == expr.CmpOpNeq {
		rd.words = append(rd.words, v.name) // "ct status dnat": a flag is set
		return
	}
	op := ""
	switch e.Op {
	case expr.CmpOpEq:
	case expr.CmpOpNeq:
		op = "!="
	default:
		op = fmt.Sprintf("op%d", e.Op)
	}
	val := formatNATValue(v.kind, e.Data)
	if v.prefix >= 0 {
		val += "/" + strconv.Itoa(v.prefix)
	}
	rd.words = append(rd.words, v.name)
	if op != "" {
		rd.words = append(rd.words, op)
	}
	rd.words = append(rd.words, val)
}

func (rd *natRenderer) nat(e *expr.NAT) {
	verb := "snat"
	if e.Type == expr.NATTypeDestNAT {
		verb = "dnat"
	}
	to := formatNATValue(natKindIP, rd.regs[e.RegAddrMin].data)
	if e.RegProtoMin != 0 {
		to += ":" + formatNATValue(natKindPort, rd.regs[e.RegProtoMin].data)
	}
	rd.words = append(rd.words, verb, "to", to)
}

func formatNATValue(k natValueKind, b []byte) string {
	switch {
	case k == natKindProto && len(b) == 1:
		return natProtoName(b[0])
	case k == natKindPort && len(b) == 2:
		return strconv.Itoa(int(binaryutil.BigEndian.Uint16(b)))
	case k == natKindIP && len(b) == 4:
		return net.IP(b).String()
	case k == natKindIfname:
		return strconv.Quote(string(bytes.TrimRight(b, "\x00")))
	case k == natKindAddrType && len(b) == 4:
		if binary.NativeEndian.Uint32(b) == unix.RTN_LOCAL {
			return "local"
		}
	}
	return fmt.Sprintf("0x%x", b)
}

func natProtoName(p byte) string {
	switch p {
	case unix.IPPROTO_TCP:
		return "tcp"
	case unix.IPPROTO_UDP:
		return "udp"
	case unix.IPPROTO_SCTP:
		return "sctp"
	}
	return strconv.Itoa(int(p))
}

// ctFlagNames names the bits of a ct status or ct state mask as nft does,
// comma-separated; unknown bits are printed in hex.
func ctFlagNames(k natValueKind, mask uint32) string {
	names := map[uint32]string{0x20: "dnat"} // IPS_DST_NAT
	if k == natKindCtState {
		names = map[uint32]string{1: "invalid", ctStateEstablished: "established", ctStateRelated: "related", 1 << 3: "new", 1 << 6: "untracked"}
	}
	var out []string
	for bit := uint32(1); bit != 0; bit <<= 1 {
		if mask&bit == 0 {
			continue
		}
		if n, ok := names[bit]; ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprintf("0x%x", bit))
		}
	}
	return strings.Join(out, ",")
}

func verdictName(k expr.VerdictKind) string {
	switch k {
	case expr.VerdictAccept:
		return "accept"
	case expr.VerdictDrop:
		return "drop"
	}
	return fmt.Sprintf("verdict %d", k)
}
