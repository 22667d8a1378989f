package rules

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"dmt/pkg/model"
)

// The fast paths of Normalize (values already canonical kept as they are) must give
// what the general path gives. Each test below draws values of every shape, canonical
// or not, and compares the two.

// randomNumber is a number-like text: digits, signs, points, commas, zeros and spaces
// in any arrangement, sometimes canonical.
func randomNumber(r *rand.Rand) string {
	const alphabet = "0000123456789-+.,  "
	n := 1 + r.IntN(22)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func TestCanonicalDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for i := range 200000 {
		precision, scale := 1+r.IntN(18), 0
		scale = r.IntN(precision + 1)
		var s string
		if i%2 == 0 {
			// A canonical text from a decimal within the precision.
			digits := r.IntN(precision + 1)
			units := r.Int64N(max(1, pow10(digits)))
			if r.IntN(4) == 0 {
				units = -units
			}
			s = model.Decimal{Units: units, Scale: scale}.String()
		} else {
			s = randomNumber(r)
		}
		d, ok := canonicalDecimal(s, precision, scale)
		want, err := ParseDecimal(s, precision, scale)
		if ok {
			fast++
			if err != nil || want != d || want.String() != s {
				t.Fatalf("canonicalDecimal(%q, %d, %d) = %v, true; ParseDecimal gives %v, %v (%q)", s, precision, scale, d, want, err, want.String())
			}
		} else if err == nil && want.String() == s {
			t.Fatalf("canonicalDecimal(%q, %d, %d) = false, but it is canonical (%v)", s, precision, scale, want)
		}
	}
	if fast < 50000 {
		t.Errorf("only %d values took the fast path", fast)
	}
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func TestCanonicalInteger(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 200000 {
		s := randomNumber(r)
		if i%2 == 0 {
			s = fmt.Sprint(r.Int64N(pow10(r.IntN(19))) * int64(1-2*r.IntN(2)))
		}
		n, err := ParseInteger(s)
		canonical := err == nil && fmt.Sprint(n) == s
		if got := canonicalInteger(s); got != canonical && !(canonical && len(strings.TrimPrefix(s, "-")) > 18) {
			t.Fatalf("canonicalInteger(%q) = %v, want %v", s, got, canonical)
		}
	}
}

// TestNormalizeKeepsCanonical checks that Normalize gives a value's canonical text,
// whether it came canonical (fast path) or not.
func TestNormalizeKeepsCanonical(t *testing.T) {
	today := model.Date{Year: 2026, Month: 11, Day: 15}
	fields := []Field{
		{Name: "n", Kind: Integer, Min: &Bound{Value: 0, Inclusive: false}},
		{Name: "d", Kind: Decimal, Precision: 6, Scale: 1, Min: &Bound{Value: 0, Inclusive: false}},
		{Name: "m", Kind: Decimal, Precision: 12, Scale: 2, Max: &Bound{Value: 1000, Inclusive: true}},
		{Name: "t", Kind: Date, NotFuture: true},
	}
	values := []string{"12", "012", "+12", "-3", "0", "-0", "1 000", "2.0", "2", "02.0", "2,0", "0.0", "-0.5", "99999.9",
		"100000.0", "1000.00", "1000.01", "999.99", "12 500,50", "2024-01-05", "2024-1-5", "05/01/2024", "2026-11-16",
		"2026-11-15", "2024-02-30", " 2024-01-05 ", "2024-01-05T10:00:00Z"}
	for _, f := range fields {
		for _, v := range values {
			got, viol := f.Normalize(v, today)
			var want string
			var bad bool
			switch f.Kind {
			case Integer:
				n, err := ParseInteger(CleanText(v))
				bad = err != nil || !f.inRange(n, 0)
				want = fmt.Sprint(n)
			case Decimal:
				d, err := ParseDecimal(CleanText(v), f.Precision, f.Scale)
				bad = err != nil || !f.inRange(d.Units, d.Scale)
				want = d.String()
			case Date:
				d, err := ParseDate(CleanText(v))
				bad = err != nil || today.Before(d)
				want = d.String()
			}
			if bad != (viol != nil) || !bad && got != want {
				t.Errorf("%s.Normalize(%q) = %q, %v; want %q (violation: %v)", f.Name, v, got, viol, want, bad)
			}
		}
	}
}

func TestCleanASCII(t *testing.T) {
	for _, s := range []string{"", "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb", "a\rb", "a\vb", "a\fb", "é", "a\u00a0b",
		"Montpellier", "04 90 51 54 59", "x\x00y", "  ", " "} {
		if got, want := cleanASCII(s), s == collapseSpace(s) && isASCII(s); got != want {
			t.Errorf("cleanASCII(%q) = %v, want %v", s, got, want)
		}
		if got, want := CleanText(s), collapseSpaceNFC(s); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", s, got, want)
		}
	}
}

// collapseSpaceNFC is CleanText without its fast path.
func collapseSpaceNFC(s string) string { return norm.NFC.String(collapseSpace(s)) }

func TestListHolds(t *testing.T) {
	lists := []string{"", " ", "|", "Lyon", "Lyon|Paris", " Lyon | Paris ", "Lyon||Lyon", "Saint  Étienne|Lyon", "|Lyon|", "lyon|Lyon"}
	for _, l := range lists {
		items := SplitList(l)
		for _, v := range []string{"Lyon", "Paris", "lyon", "Saint Étienne", "Saint  Étienne", "Brest"} {
			among, some := listHolds(l, v)
			if among != slices.Contains(items, v) || some != (len(items) > 0) {
				t.Errorf("listHolds(%q, %q) = %v, %v; want %v, %v (items %q)", l, v, among, some, slices.Contains(items, v), len(items) > 0, items)
			}
		}
	}
}
