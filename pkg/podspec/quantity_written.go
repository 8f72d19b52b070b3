package podspec

import (
	"strconv"
	"strings"
)

// keptAsWritten reports whether Kubernetes prints a resource quantity the
// way it was written. ParseQuantity keeps the input string when it is
// already in a form it considers canonical (a whole mantissa that does not
// end in 000 at an exponent that is a multiple of three, or a binary
// multiple that is not itself a multiple of 8), and rounding to thousandths
// keeps it unless the input was finer than that. So "1E3" stays "1E3" and
// "+1Ki" stays "+1Ki" in its messages, where "1000m" becomes "1".
func keptAsWritten(s string) bool {
	if s == "0" {
		return true
	}
	num, denom, suffix := quantityParts(s)
	if binarySuffixes[suffix] != 0 {
		return binaryKept(num, denom, suffix)
	}
	exp, ok := decimalExponentOf(suffix)
	if !ok || len(num)+len(denom) > 18 {
		return false
	}
	scale := exp - len(denom)
	shifted := num + denom
	return scale >= -3 && scale%3 == 0 && !strings.HasSuffix(shifted, "000") && shifted[0] != '0'
}

// binaryKept: whole numbers with few enough digits for an int64, whose
// mantissa is not a multiple of 8 (so not a larger unit in disguise).
func binaryKept(num, denom, suffix string) bool {
	bits := 10 * len(binaryUnitsUpTo(suffix))
	if denom != "" || 15-len(num)-int(float32(bits)*3/10)-1 < 0 {
		return false
	}
	v, err := strconv.ParseInt(num, 10, 64)
	return err == nil && v&7 != 0 && (v<<bits)>>bits == v
}

// binaryUnitsUpTo lists the binary suffixes up to and including suffix.
func binaryUnitsUpTo(suffix string) []string {
	for i, s := range binarySISuffix {
		if s == suffix {
			return binarySISuffix[1 : i+1]
		}
	}
	return nil
}

// quantityParts splits s as ParseQuantity does: the integer digits without
// sign or leading zeros ("0" when none), the fractional digits as written,
// and the suffix.
func quantityParts(s string) (num, denom, suffix string) {
	number, suffix := splitNumber(strings.TrimLeft(s, "+-"))
	num, denom, _ = strings.Cut(number, ".")
	num = strings.TrimLeft(num, "0")
	if num == "" {
		num = "0"
	}
	return num, denom, suffix
}

// decimalExponentOf is the power of ten of a decimal or exponent suffix.
func decimalExponentOf(suffix string) (int, bool) {
	if exp, ok := decimalSuffixes[suffix]; ok {
		return exp, true
	}
	if len(suffix) > 1 && (suffix[0] == 'e' || suffix[0] == 'E') {
		exp, err := strconv.Atoi(suffix[1:])
		return exp, err == nil
	}
	return 0, false
}
