package rules

import (
	"strings"
	"testing"
)

// FuzzParseDate checks that any input either fails or gives a real date whose canonical
// form parses back to itself.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-04-03", "03/04/2024", "03-04-2024", "2024/04/03", "2024-04-03T10:22:00Z",
		"29/02/2023", "", "31/31/2024", "2024-04-03 ", "9999-12-31", "1/1/1000", "2024-04-03T", "٣/٤/٢٠٢٤"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		back, err := ParseDate(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseDate(%q) = %v, which does not parse back (%v, %v)", s, d, back, err)
		}
	})
}

// FuzzParseDecimal checks that any input either fails or gives a decimal of the asked
// scale whose canonical form parses back to itself and keeps every digit of the input.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"12500.5", "12 500,50", "12 500,50 €", "12,500.50", "1.250,50", "-3.5", ".5", "0",
		"99999999999999999999", "1,2,3", "€", "12.345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s, 12, 2)
		if err != nil {
			return
		}
		if d.Scale != 2 {
			t.Fatalf("ParseDecimal(%q) scale %d", s, d.Scale)
		}
		back, err := ParseDecimal(d.String(), 12, 2)
		if err != nil || back != d {
			t.Fatalf("ParseDecimal(%q) = %v, which does not parse back (%v, %v)", s, d, back, err)
		}
		digits := func(x string) string {
			return strings.TrimLeft(strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, x), "0")
		}
		if strings.TrimRight(digits(s), "0") != strings.TrimRight(digits(d.String()), "0") {
			t.Fatalf("ParseDecimal(%q) = %v: digits changed", s, d)
		}
	})
}
