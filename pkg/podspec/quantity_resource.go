package podspec

import (
	"math"
	"math/big"
	"strconv"
)

// qFormat is the notation a quantity was written in, which is the notation
// Kubernetes prints it back in (Quantity.Format).
type qFormat int

const (
	decimalSI       qFormat = iota // 100m, 1, 2k, 3G
	binarySI                       // 64Mi, 1Gi
	decimalExponent                // 1e3
)

// resQuantity is a resource quantity as the API server holds it once the
// pod is defaulted: SetDefaults_ResourceList rounds every value of a
// resource list up (away from zero) to thousandths, so "0.1m" of CPU is
// "1m". Values are exact rationals with a denominator dividing 1000.
type resQuantity struct {
	v *big.Rat
	f qFormat
	s string // as written, when Kubernetes would print it so (keptAsWritten)
}

var (
	ratThousand = big.NewRat(1000, 1)
	ratMaxInt64 = new(big.Rat).SetInt64(math.MaxInt64)
)

// parseResource parses a resource list value. Binary quantities are capped
// at the largest int64, as ParseQuantity caps them.
func parseResource(s string) (resQuantity, error) {
	v, err := parseQuantity(s)
	if err != nil {
		return resQuantity{}, err
	}
	q := resQuantity{v: roundAwayFromZero(v, 1000), f: formatOf(s)}
	if q.f == binarySI && q.v.Cmp(ratMaxInt64) > 0 {
		q.v = new(big.Rat).Set(ratMaxInt64)
	}
	if keptAsWritten(s) {
		q.s = s
	}
	return q, nil
}

// mustResource parses a value the strict walk has already parsed once. A
// Pod that did not come from Parse could hold an unparsable string; it
// counts as 0 here, so the helpers stay total (Parse refuses such a pod).
func mustResource(s string) resQuantity {
	q, err := parseResource(s)
	if err != nil {
		return resQuantity{v: new(big.Rat)}
	}
	return q
}

func formatOf(s string) qFormat {
	_, suffix := splitNumber(s)
	switch {
	case binarySuffixes[suffix] != 0:
		return binarySI
	case suffix != "" && (suffix[0] == 'e' || suffix[0] == 'E') && len(suffix) > 1:
		return decimalExponent
	}
	return decimalSI
}

// roundAwayFromZero rounds v to a multiple of 1/per, away from zero.
func roundAwayFromZero(v *big.Rat, per int64) *big.Rat {
	scaled := new(big.Rat).Mul(v, big.NewRat(per, 1))
	n := new(big.Int).Quo(scaled.Num(), scaled.Denom()) // truncates toward zero
	if !scaled.IsInt() {
		n.Add(n, big.NewInt(int64(scaled.Sign())))
	}
	return new(big.Rat).SetFrac(n, big.NewInt(per))
}

func (q resQuantity) isZero() bool { return q.v == nil || q.v.Sign() == 0 }

func (q resQuantity) cmp(o resQuantity) int { return q.rat().Cmp(o.rat()) }

func (q resQuantity) rat() *big.Rat {
	if q.v == nil {
		return new(big.Rat)
	}
	return q.v
}

// plus is Quantity.Add: the sum keeps the receiver's notation unless the
// receiver is zero.
func (q resQuantity) plus(o resQuantity) resQuantity {
	f := q.f
	if q.isZero() {
		f = o.f
	}
	return resQuantity{v: new(big.Rat).Add(q.rat(), o.rat()), f: f} // a sum is printed canonically
}

// milli is Quantity.MilliValue: thousandths, capped at the largest int64.
func (q resQuantity) milli() int64 {
	return capInt64(new(big.Rat).Mul(q.rat(), ratThousand))
}

// value is Quantity.Value: the value rounded up (away from zero) to an
// integer, capped at the largest int64.
func (q resQuantity) value() int64 {
	return capInt64(roundAwayFromZero(q.rat(), 1))
}

// capInt64 returns r rounded up to an integer, at most math.MaxInt64 and at
// least math.MinInt64.
func capInt64(r *big.Rat) int64 {
	r = roundAwayFromZero(r, 1)
	if r.Cmp(ratMaxInt64) > 0 {
		return math.MaxInt64
	}
	n := r.Num()
	if !n.IsInt64() {
		return math.MinInt64
	}
	return n.Int64()
}

var decimalSISuffix = map[int]string{-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"}

var binarySISuffix = []string{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"}

// String is Quantity.String after defaulting: the canonical form. Decimal
// values get the largest exponent that is a multiple of three and keeps
// the mantissa whole ("1500m", "1k", "5e3"); binary values of at least 1Ki
// that are whole get the largest power of 1024 ("1536Mi"), others print as
// decimal ("512", "1500m").
func (q resQuantity) String() string {
	if q.s != "" {
		return q.s
	}
	if q.isZero() {
		return "0"
	}
	if q.f == binarySI {
		if s, ok := q.binaryString(); ok {
			return s
		}
	}
	return q.decimalString()
}

func (q resQuantity) binaryString() (string, bool) {
	abs := new(big.Rat).Abs(q.v)
	if !q.v.IsInt() || abs.Cmp(big.NewRat(1024, 1)) < 0 {
		return "", false
	}
	n := new(big.Int).Set(q.v.Num())
	k, rem, unit := 0, new(big.Int), big.NewInt(1024)
	for k < len(binarySISuffix)-1 {
		quo, _ := new(big.Int).QuoRem(n, unit, rem)
		if rem.Sign() != 0 {
			break
		}
		n, k = quo, k+1
	}
	return n.String() + binarySISuffix[k], true
}

func (q resQuantity) decimalString() string {
	// q.v * 1000 is whole: it is the mantissa at exponent -3.
	scaled := new(big.Rat).Mul(q.v, ratThousand)
	mant := new(big.Int).Quo(scaled.Num(), scaled.Denom())
	exp := -3
	ten, rem := big.NewInt(10), new(big.Int)
	for {
		quo, _ := new(big.Int).QuoRem(mant, ten, rem)
		if rem.Sign() != 0 {
			break
		}
		mant, exp = quo, exp+1
	}
	for ((exp%3)+3)%3 != 0 {
		mant.Mul(mant, ten)
		exp--
	}
	return mant.String() + q.exponentSuffix(exp)
}

func (q resQuantity) exponentSuffix(exp int) string {
	if s, ok := decimalSISuffix[exp]; ok && q.f != decimalExponent {
		return s
	}
	if exp == 0 {
		return ""
	}
	return "e" + strconv.Itoa(exp)
}
