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
	size   uint32 // bytes loaded; a concatenation's next field starts at the next 4-byte register after them
}

type natRenderer struct {
	// regs is keyed by 4-byte register (regSlot): a concatenation such as
	// ip daddr . meta l4proto . th dport loads consecutive 4-byte registers
	// that the lookup then reads as one key.
	regs  map[uint32]natRegValue
	words []string
	// anon renders the anonymous sets of a rule being built, by set ID (the
	// kernel renames them: a rule read back shows @__mapN).
	anon map[uint32]string
}

func renderRule(r *nftables.Rule) string { return renderRuleWith(r, nil) }

// renderRuleWith is renderRule with the contents of the rule's anonymous
// sets, keyed by set ID.
func renderRuleWith(r *nftables.Rule, anon map[uint32]string) string {
	rd := &natRenderer{regs: map[uint32]natRegValue{}, anon: anon}
	for _, e := range r.Exprs {
		rd.expr(e)
	}
	if c := ruleComment(r); c != "" {
		rd.words = append(rd.words, "comment", strconv.Quote(c))
	}
	return strings.Join(rd.words, " ")
}

// regSlot maps a register number to the index of its first 4-byte
// register: the 16-byte registers NFT_REG_1..4 are NFT_REG32_00, 04, 08
// and 12 (the kernel reports either name for the same storage); the
// verdict register stays 0.
func regSlot(reg uint32) uint32 {
	if reg >= unix.NFT_REG_1 && reg <= unix.NFT_REG_4 {
		return unix.NFT_REG32_00 + (reg-unix.NFT_REG_1)*4
	}
	return reg
}

func (rd *natRenderer) load(reg uint32, name string, kind natValueKind) {
	rd.loadSized(reg, name, kind, 4)
}

func (rd *natRenderer) loadSized(reg uint32, name string, kind natValueKind, size uint32) {
	rd.regs[regSlot(reg)] = natRegValue{name: name, kind: kind, prefix: -1, size: size}
}

// key names the value a lookup or dynset reads from reg: one field, or a
// concatenation of fields loaded into consecutive registers.
func (rd *natRenderer) key(reg uint32) string {
	slot := regSlot(reg)
	var names []string
	for {
		v, ok := rd.regs[slot]
		if !ok || v.name == "" {
			break
		}
		names = append(names, v.name)
		slot += max(1, (v.size+3)/4)
	}
	if len(names) == 0 {
		return fmt.Sprintf("reg %d", reg)
	}
	return strings.Join(names, " . ")
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
		rd.regs[regSlot(e.Register)] = natRegValue{kind: natKindRaw, prefix: -1, data: e.Data}
	case *expr.NAT:
		rd.nat(e)
	case *expr.Masq:
		rd.words = append(rd.words, "masquerade")
	case *expr.Verdict:
		rd.words = append(rd.words, verdictText(e.Kind, e.Chain))
	case *expr.Ct:
		rd.ct(e)
	case *expr.Lookup:
		rd.lookup(e)
	case *expr.Numgen:
		rd.numgen(e)
	case *expr.Dynset:
		rd.dynset(e)
	case *expr.Reject:
		rd.words = append(rd.words, rejectText(e))
	case *expr.Byteorder:
		// A value turned to network order for a lookup prints as the
		// value itself, as nft prints it.
		rd.regs[regSlot(e.DestRegister)] = rd.regs[regSlot(e.SourceRegister)]
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
		rd.loadSized(e.Register, "meta l4proto", natKindProto, 1)
	case expr.MetaKeyIIFNAME:
		rd.loadSized(e.Register, "iifname", natKindIfname, nftIfNameLen)
	case expr.MetaKeyOIFNAME:
		rd.loadSized(e.Register, "oifname", natKindIfname, nftIfNameLen)
	default:
		rd.load(e.Register, fmt.Sprintf("meta key %d", e.Key), natKindRaw)
	}
}

func (rd *natRenderer) payload(e *expr.Payload) {
	switch {
	case e.Base == expr.PayloadBaseNetworkHeader && e.Offset == 12 && e.Len == 4:
		rd.loadSized(e.DestRegister, "ip saddr", natKindIP, e.Len)
	case e.Base == expr.PayloadBaseNetworkHeader && e.Offset == 16 && e.Len == 4:
		rd.loadSized(e.DestRegister, "ip daddr", natKindIP, e.Len)
	case e.Base == expr.PayloadBaseTransportHeader && e.Offset == 0 && e.Len == 2:
		rd.loadSized(e.DestRegister, "th sport", natKindPort, e.Len)
	case e.Base == expr.PayloadBaseTransportHeader && e.Offset == 2 && e.Len == 2:
		rd.loadSized(e.DestRegister, "th dport", natKindPort, e.Len)
	default:
		rd.loadSized(e.DestRegister, fmt.Sprintf("payload base %d offset %d len %d", e.Base, e.Offset, e.Len), natKindRaw, e.Len)
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
	v := rd.regs[regSlot(e.SourceRegister)]
	if (v.kind == natKindCtStatus || v.kind == natKindCtState) && len(e.Mask) == 4 {
		v.name += " " + ctFlagNames(v.kind, binary.NativeEndian.Uint32(e.Mask))
		rd.regs[regSlot(e.DestRegister)] = v
		return
	}
	v.prefix = 0
	for _, b := range e.Mask {
		v.prefix += bits.OnesCount8(b)
	}
	rd.regs[regSlot(e.DestRegister)] = v
}

func (rd *natRenderer) cmp(e *expr.Cmp) {
	v := rd.regs[regSlot(e.Register)]
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
	to := formatNATValue(natKindIP, rd.regs[regSlot(e.RegAddrMin)].data)
	if e.RegProtoMin != 0 {
		to += ":" + formatNATValue(natKindPort, rd.regs[regSlot(e.RegProtoMin)].data)
	}
	rd.words = append(rd.words, verb, "to", to)
}

// lookup prints a set match (`ip saddr @set`), a verdict map (`... vmap
// @map`) or a data map (`... map @map`); an anonymous set the renderer was
// given is printed inline.
func (rd *natRenderer) lookup(e *expr.Lookup) {
	set := "@" + e.SetName
	if text, ok := rd.anon[e.SetID]; ok && strings.HasPrefix(e.SetName, "__") {
		set = text
	}
	words := []string{rd.key(e.SourceRegister)}
	switch {
	case e.IsDestRegSet && e.DestRegister == unix.NFT_REG_VERDICT:
		words = append(words, "vmap", set)
	case e.IsDestRegSet:
		words = append(words, "map", set)
		rd.load(e.DestRegister, strings.Join(words, " "), natKindRaw)
		return
	case e.Invert:
		words = append(words, "!=", set)
	default:
		words = append(words, set)
	}
	rd.words = append(rd.words, words...)
}

func (rd *natRenderer) numgen(e *expr.Numgen) {
	kind := "inc"
	if e.Type == unix.NFT_NG_RANDOM {
		kind = "random"
	}
	name := fmt.Sprintf("numgen %s mod %d", kind, e.Modulus)
	if e.Offset != 0 {
		name += fmt.Sprintf(" offset %d", e.Offset)
	}
	rd.load(e.Register, name, natKindRaw)
}

// dynset prints `update @set { key }` (or add/delete), as nft does.
func (rd *natRenderer) dynset(e *expr.Dynset) {
	op := fmt.Sprintf("op%d", e.Operation)
	switch e.Operation {
	case unix.NFT_DYNSET_OP_ADD:
		op = "add"
	case unix.NFT_DYNSET_OP_UPDATE:
		op = "update"
	case nftDynsetOpDelete:
		op = "delete"
	}
	elem := rd.key(e.SrcRegKey)
	if e.Timeout != 0 {
		elem += " timeout " + e.Timeout.String()
	}
	rd.words = append(rd.words, op, "@"+e.SetName, "{", elem, "}")
}

// Kernel constants x/sys/unix does not export.
const (
	nftDynsetOpDelete   = 2 // NFT_DYNSET_OP_DELETE
	icmpPortUnreachable = 3 // ICMP_PORT_UNREACH (linux/icmp.h)
)

func rejectText(e *expr.Reject) string {
	switch {
	case e.Type == unix.NFT_REJECT_ICMP_UNREACH && e.Code == icmpPortUnreachable:
		return "reject" // nft's default: icmp port-unreachable
	case e.Type == unix.NFT_REJECT_ICMP_UNREACH:
		return fmt.Sprintf("reject with icmp %d", e.Code)
	case e.Type == unix.NFT_REJECT_TCP_RST:
		return "reject with tcp reset"
	case e.Type == unix.NFT_REJECT_ICMPX_UNREACH:
		return fmt.Sprintf("reject with icmpx %d", e.Code)
	}
	return fmt.Sprintf("reject type %d code %d", e.Type, e.Code)
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
	case expr.VerdictReturn:
		return "return"
	case expr.VerdictContinue:
		return "continue"
	case expr.VerdictJump:
		return "jump"
	case expr.VerdictGoto:
		return "goto"
	}
	return fmt.Sprintf("verdict %d", k)
}

// verdictText is a verdict with its target chain, if any (`goto chain`).
func verdictText(k expr.VerdictKind, chain string) string {
	if chain != "" {
		return verdictName(k) + " " + chain
	}
	return verdictName(k)
}
