package rules

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold reduces a name or an enumeration spelling to the key it is matched by: trimmed,
// lower-cased, accents removed, and each run of spaces, '-' and '_' made one '_'.
// So "Terminé", " TERMINE ", "En-Cours" and "en cours" fold to "termine" and "en_cours",
// and the headers "Email", " e-mail ", "E_MAIL" all fold to "e_mail"... which is why
// header matching also compares keys with '_' removed (see HeaderKey).
func Fold(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	decomposed := s
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 { // accents to strip: decompose; plain ASCII needs no such work
			decomposed = norm.NFD.String(s)
			break
		}
	}
	for _, r := range decomposed {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == ' ' || r == '-' || r == '_' || unicode.IsSpace(r):
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('_')
		}
		sep = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// HeaderKey is the key a CSV header name is matched by: Fold without the separators,
// so "date_debut", "Date Début" and "DATE-DEBUT" match, and so do "Email" and "E_MAIL".
func HeaderKey(s string) string {
	return strings.ReplaceAll(Fold(s), "_", "")
}
