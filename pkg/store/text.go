package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SafeText returns s as valid UTF-8, each byte that is not part of a UTF-8 sequence
// written as \xNN (a Latin-1 file name "clients_\xe9.csv"). The tables store text as
// utf8mb4 and refuse such bytes (Error 1366), so names and command lines go through it
// before they are stored; valid text comes back unchanged.
func SafeText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
