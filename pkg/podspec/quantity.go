package podspec

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource):
//
//	<quantity> ::= <signedNumber><suffix>
//	<suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei        (powers of 1024)
//	             | n | u | m | "" | k | M | G | T | P | E (powers of 1000)
//	             | e<int> | E<int>                     (powers of 10)
//
// Arithmetic is exact (big.Rat) so "0.5Gi" is exactly 536870912.

var binarySuffixes = map[string]int64{
	"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50, "Ei": 1 << 60,
}

var decimalSuffixes = map[string]int{
	"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
}

// maxExponent keeps absurd inputs ("1e999999999") from costing real work.
const maxExponent = 1000

var errQuantityFormat = errors.New("quantities must match the regular expression " +
	`'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`)

// parseQuantity returns the exact value of a quantity string.
func parseQuantity(s string) (*big.Rat, error) {
	num, suffix := splitNumber(s)
	if num == "" || num == "+" || num == "-" || strings.Count(num, ".") > 1 || strings.Trim(num, "+-.") == "" {
		return nil, errQuantityFormat
	}
	value, ok := new(big.Rat).SetString(strings.TrimPrefix(num, "+"))
	if !ok {
		return nil, errQuantityFormat
	}
	mult, err := suffixMultiplier(suffix)
	if err != nil {
		return nil, err
	}
	return value.Mul(value, mult), nil
}

// splitNumber cuts s after its leading sign, digits and decimal point.
func splitNumber(s string) (num, suffix string) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	return s[:i], s[i:]
}

func suffixMultiplier(suffix string) (*big.Rat, error) {
	if m, ok := binarySuffixes[suffix]; ok {
		return new(big.Rat).SetInt64(m), nil
	}
	if exp, ok := decimalSuffixes[suffix]; ok {
		return pow10(exp), nil
	}
	if suffix[0] == 'e' || suffix[0] == 'E' {
		exp, err := strconv.Atoi(suffix[1:])
		if err != nil || exp > maxExponent || exp < -maxExponent {
			return nil, errQuantityFormat
		}
		return pow10(exp), nil
	}
	// apimachinery's parser: a suffix of another shape is a format error;
	// one of the right shape that names no unit is a suffix error.
	if !suffixShape().MatchString(suffix) {
		return nil, errQuantityFormat
	}
	return nil, errQuantitySuffix
}

var (
	// Compiled on first use, as the package's other patterns: every
	// minipod process links this package, and few of them parse a
	// malformed quantity.
	suffixShape       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[eEinumkKMGTP]*[-+]?[0-9]*$`) })
	errQuantitySuffix = errors.New("unable to parse quantity's suffix")
)

func pow10(exp int) *big.Rat {
	abs := exp
	if abs < 0 {
		abs = -abs
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs)), nil)
	if exp < 0 {
		return new(big.Rat).SetFrac(big.NewInt(1), p)
	}
	return new(big.Rat).SetInt(p)
}

// QuantityBytes parses a Kubernetes quantity ("64Mi", "1G", "500k", "1e3",
// "0.5Gi") into bytes, rounding a fractional result up as Quantity.Value
// does. A value beyond the largest int64 is that largest value, as
// Kubernetes caps every quantity there when it parses it. Negative values
// are errors.
func QuantityBytes(s string) (int64, error) {
	q, err := parseQuantity(s)
	if err != nil {
		return 0, fmt.Errorf("quantity %q: %w", s, err)
	}
	if q.Sign() < 0 {
		return 0, fmt.Errorf("quantity %q: must not be negative", s)
	}
	ceil := new(big.Int).Quo(q.Num(), q.Denom())
	if !q.IsInt() {
		ceil.Add(ceil, big.NewInt(1))
	}
	if !ceil.IsInt64() {
		return math.MaxInt64, nil
	}
	return ceil.Int64(), nil
}
