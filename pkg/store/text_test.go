package store

import (
	"testing"
	"unicode/utf8"
)

func TestSafeText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"clients.csv", "clients.csv"},
		{"Soci\xe9t\xe9.csv", `Soci\xe9t\xe9.csv`},
		{"été \xff", `été \xff`},
		{"\xe2\x82", `\xe2\x82`}, // a cut sequence
	} {
		if got := SafeText(c.in); got != c.want || !utf8.ValidString(got) {
			t.Errorf("SafeText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
