package rules

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"dmt/pkg/model"
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

// FuzzNormalizeText checks what every stored text and e-mail must be, whatever the input:
// an accepted text is trimmed, in NFC, and holds no control or invisible character (its
// SQL form, validate's, would flag it otherwise); an accepted e-mail is ASCII, lower-case
// and matches EmailPattern; normalising the result again changes nothing.
func FuzzNormalizeText(f *testing.F) {
	for _, s := range []string{"Dupont SA", "  Ab \t c ", "e\u0301cole", "Dupont\u200b", "\ufeffA", "a\x00b", "Kim@x.fr",
		"\u212aim@x.fr", "dup@x.fr\u200b", "mailto:a@x.fr", "o'neil@x.io", "é@x.fr", "Lyon|lyon", "a@b@c.fr"} {
		f.Add(s)
	}
	nom := Field{Name: "nom", Kind: Text, MaxLen: 150}
	email := Field{Name: "email", Kind: Email, MaxLen: 254}
	sites := Field{Name: "sites", Kind: List, MaxLen: 80}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fd := range []Field{nom, email, sites} {
			got, v := fd.Normalize(s, model.Date{})
			if v != nil || got == "" {
				continue
			}
			if r, bad := Invisible(got); bad {
				t.Fatalf("%s.Normalize(%q) = %q, holding %U", fd.Name, s, got, r)
			}
			if got != norm.NFC.String(got) || got != strings.TrimSpace(got) {
				t.Fatalf("%s.Normalize(%q) = %q: not trimmed NFC", fd.Name, s, got)
			}
			if fd.Kind == Email && (!ValidEmail(got) || got != strings.ToLower(got) || !isASCII(got)) {
				t.Fatalf("email.Normalize(%q) = %q: not a lower-case ASCII address", s, got)
			}
			if again, v := fd.Normalize(got, model.Date{}); v != nil || again != got {
				t.Fatalf("%s.Normalize(%q) = %q, which normalises to %q, %v", fd.Name, s, got, again, v)
			}
		}
	})
}
