package rules

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dmt/pkg/model"
)

// Errors returned by the parsers; Field.Normalize turns them into codes.
var (
	ErrBadDate    = errors.New("not a date")
	ErrBadDecimal = errors.New("not a decimal number")
	ErrBadInteger = errors.New("not a whole number")
	ErrPrecision  = errors.New("too many digits")
	// ErrAmbiguousDecimal is a number whose only separator is a comma followed by
	// exactly three digits (1,000; 250,000): English thousands or a French decimal comma?
	ErrAmbiguousDecimal = errors.New("ambiguous decimal")
)

// ambiguousComma is the shape of ErrAmbiguousDecimal.
var ambiguousComma = regexp.MustCompile(`^\d{1,3},\d{3}$`)

// CleanText trims s, collapses each inner run of white space (tabs, newlines,
// no-break spaces included) into one space, and puts it in Unicode NFC, as the contract
// asks of every text: "é" typed as e + combining accent and as one character are then
// the same value. Control and invisible characters are left for Invisible to find.
func CleanText(s string) string {
	if cleanASCII(s) {
		return s // most values: nothing to trim, collapse or compose
	}
	s = collapseSpace(s)
	if !isASCII(s) {
		s = norm.NFC.String(s)
	}
	return s
}

// collapseSpace trims s and makes each inner run of white space one space.
func collapseSpace(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// cleanASCII reports whether s is ASCII and has no white space to trim or collapse:
// none at its ends, none inside but single spaces. CleanText returns such a text as is.
func cleanASCII(s string) bool {
	space := true // before the first byte: a leading space is one to trim
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= utf8.RuneSelf, c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		case c == ' ':
			if space {
				return false
			}
			space = true
		default:
			space = false
		}
	}
	return !space || s == ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Invisible returns the first control character (other than white space, which
// CleanText collapses) or invisible format character (zero-width space, BOM, word
// joiner, soft hyphen, bidirectional marks: Unicode Cf) of s, and false when there is
// none. Such characters make two values that look alike differ (a duplicate e-mail
// slips past its unique key), so a text holding one is refused (BAD_TEXT).
func Invisible(s string) (rune, bool) {
	i := 0
	for ; i < len(s) && s[i] < utf8.RuneSelf; i++ { // the ASCII start, without decoding
		if c := s[i]; c < 0x20 || c == 0x7f {
			return rune(c), true
		}
	}
	for _, r := range s[i:] {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) {
			return r, true
		}
	}
	return 0, false
}

// InvisibleSQL is the SQL form of Invisible over a stored column: MariaDB's REGEXP
// (PCRE) with Unicode classes; the doubled backslashes are for the SQL string literal.
const InvisibleSQL = `'[\\p{Cc}\\p{Cf}]'`

// NotBlankSQL is the SQL pattern of a text holding a character that is no white space
// as Go's unicode.IsSpace tells it (Unicode's Z classes, the ASCII ones and NEL): a text
// CleanText does not make empty.
const NotBlankSQL = `'[^\\s\\p{Z}\\x{85}]'`

// VisibleSQL is the SQL form of "Invisible finds nothing" over a stored column col: a
// value whose bytes, read as utf8mb4, are all printable ASCII (space to tilde) holds
// none, which a byte-wise REGEXP tells at a third of the cost of the Unicode classes;
// only the others (accents, symbols, control bytes) are matched against them. The
// conversion to utf8mb4 keeps that shortcut exact for a column of any character set.
func VisibleSQL(col string) string {
	return "CAST(CONVERT(" + col + " USING utf8mb4) AS BINARY) NOT REGEXP '[^ -~]' OR " + col + " NOT REGEXP " + InvisibleSQL
}

// CleanEmail trims s and lower-cases its ASCII letters: e-mails are compared and stored
// that way. Only A-Z are folded, and no Unicode normalisation applies: lower-casing or
// NFC map the Kelvin sign onto k, which would let a look-alike address take another's.
// A non-ASCII address then fails EmailPattern.
func CleanEmail(s string) string {
	s = collapseSpace(s)
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// EmailPattern is what an e-mail must look like, once cleaned: ASCII only (addresses
// with non-ASCII characters are not accepted), a local part of letters, digits and
// the printable characters RFC 5322 allows unquoted (the HTML form rule), one '@', a
// domain of labels of letters, digits and inner hyphens, with at least one dot. It is
// written once for both forms of the rule: Go's regexp and MariaDB's REGEXP understand
// it alike (no backslash, which SQL string literals would eat; its one quote is doubled
// by EmailSQLPattern), but for its end (see EmailSQLPattern).
const EmailPattern = "^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?([.][a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"

// EmailSQLPattern is EmailPattern as a SQL string literal, its final "$" written "\z":
// MariaDB's "$" (PCRE) also matches before a final line feed, so "a@b.fr" followed by
// one, stored by other means, would pass validate while migration refuses it; "\z", the
// very end, is what Go's "$" means.
var EmailSQLPattern = "'" + strings.ReplaceAll(strings.TrimSuffix(EmailPattern, "$"), "'", "''") + `\\z'`

var emailRE = regexp.MustCompile(EmailPattern)

// ValidEmail reports whether a cleaned e-mail has the form of an address.
func ValidEmail(s string) bool { return emailRE.MatchString(s) }

// ParseDate reads a date in one of the contract's forms: YYYY-MM-DD, DD/MM/YYYY,
// DD-MM-YYYY, YYYY/MM/DD, or an ISO date-time whose date part is kept. Day and month
// may have one digit. 03/04/2024 is the 3rd of April. A day that does not exist
// (2023-02-30) is an error, never rolled over.
func ParseDate(s string) (model.Date, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') && isoDate(s[:10]) {
		if !isoTimeTail(s[11:]) {
			return model.Date{}, ErrBadDate
		}
		s = s[:10]
	}
	parts, sep, ok := splitDate(s)
	if !ok {
		return model.Date{}, ErrBadDate
	}
	var y, m, d string
	switch {
	case len(parts[0]) == 4 && (sep == '-' || sep == '/'):
		y, m, d = parts[0], parts[1], parts[2]
	case len(parts[2]) == 4 && (sep == '/' || sep == '-'):
		d, m, y = parts[0], parts[1], parts[2]
	default:
		return model.Date{}, ErrBadDate
	}
	if len(m) > 2 || len(d) > 2 {
		return model.Date{}, ErrBadDate
	}
	return makeDate(atoi(y), atoi(m), atoi(d))
}

// makeDate returns the date when it exists and its year is one a DATE column holds.
func makeDate(y, m, d int) (model.Date, error) {
	if y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return model.Date{}, ErrBadDate
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return model.Date{}, ErrBadDate
	}
	return model.Date{Year: y, Month: time.Month(m), Day: d}, nil
}

func isoDate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' && allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}

// isoTimeTail accepts the time part of an ISO date-time, a time that exists:
// hh:mm[:ss[.frac]][Z|±hh:mm], hours 00-23, minutes and seconds 00-59, offsets to ±14:00.
// "2020-01-01T25:99:00" is no date-time, so no date.
var isoTimeRE = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-](0\d|1[0-4]):?[0-5]\d)?$`)

func isoTimeTail(s string) bool { return isoTimeRE.MatchString(s) }

// splitDate splits s into three runs of digits around one separator used twice.
func splitDate(s string) (parts [3]string, sep byte, ok bool) {
	if len(s) < 6 || len(s) > 10 {
		return parts, 0, false
	}
	n, start := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			continue
		}
		if sep == 0 {
			sep = c
		}
		if c != sep || i == start || n == 2 {
			return parts, 0, false
		}
		parts[n] = s[start:i]
		n++
		start = i + 1
	}
	parts[n] = s[start:]
	if n != 2 || parts[2] == "" {
		return parts, 0, false
	}
	return parts, sep, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// ParseInteger reads a whole number, optionally signed. Anything else (decimals,
// thousands separators, units) is an error: migration does not guess.
func ParseInteger(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrBadInteger
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
	if err != nil || strings.HasPrefix(s, "+-") || strings.HasPrefix(s, "+ ") {
		return 0, ErrBadInteger
	}
	return n, nil
}

// ParseDecimal reads an exact decimal with at most scale decimals and precision digits
// in all, in the forms agencies write: 12500.5, 12 500,50, 12 500,50 €, 12,500.50
// (',' groups thousands only when a '.' decimal point follows), 1.250,50. The
// result has exactly scale decimals; it never goes through a float. More decimals than
// scale is ErrBadDecimal (rounding would change the figure); more integer digits than
// precision-scale allows is ErrPrecision.
func ParseDecimal(s string, precision, scale int) (model.Decimal, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(s, "€"), "€"))
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = strings.TrimSpace(s[1:])
	}
	if ambiguousComma.MatchString(s) {
		return model.Decimal{}, ErrAmbiguousDecimal
	}
	// Thousands separators made of spaces (including no-break spaces) go first.
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return model.Decimal{}, ErrBadDecimal
	}
	intPart, frac := s, ""
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case lastDot >= 0 && lastComma >= 0:
		point, group := byte('.'), ","
		if lastComma > lastDot {
			point, group = ',', "."
		}
		i := strings.LastIndexByte(s, point)
		intPart, frac = s[:i], s[i+1:]
		if strings.Count(s, string(point)) != 1 || !groupedThousands(intPart, group) {
			return model.Decimal{}, ErrBadDecimal
		}
		intPart = strings.ReplaceAll(intPart, group, "")
	case lastDot >= 0 || lastComma >= 0:
		i := max(lastDot, lastComma)
		if strings.Count(s, s[i:i+1]) != 1 {
			return model.Decimal{}, ErrBadDecimal
		}
		intPart, frac = s[:i], s[i+1:]
	}
	if intPart == "" {
		intPart = "0"
	}
	if !allDigits(intPart) || (frac != "" && !allDigits(frac)) || (frac == "" && s[len(s)-1] < '0') {
		return model.Decimal{}, ErrBadDecimal
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > scale {
		return model.Decimal{}, ErrBadDecimal
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > precision-scale {
		return model.Decimal{}, ErrPrecision
	}
	units, err := strconv.ParseInt(intPart+frac+strings.Repeat("0", scale-len(frac)), 10, 64)
	if err != nil {
		if intPart+frac == "" {
			units = 0
		} else {
			return model.Decimal{}, ErrPrecision
		}
	}
	if neg {
		units = -units
	}
	return model.Decimal{Units: units, Scale: scale}, nil
}

// groupedThousands reports whether s is digits grouped by sep in threes: "12,500".
func groupedThousands(s, sep string) bool {
	if !strings.Contains(s, sep) {
		return allDigits(s)
	}
	groups := strings.Split(s, sep)
	if len(groups[0]) == 0 || len(groups[0]) > 3 || !allDigits(groups[0]) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return false
		}
	}
	return true
}

// NormalizeEnum returns the canonical value among values that s spells, ignoring case,
// accents, spaces, '-' and '_' ("Terminé", "TERMINE", "En-Cours"), and false when s
// spells none of them.
func NormalizeEnum(s string, values []string) (string, bool) {
	for _, v := range values {
		if s == v { // the canonical spelling, as most rows have it: no folding needed
			return v, true
		}
	}
	k := Fold(s)
	for _, v := range values {
		if Fold(v) == k {
			return v, true
		}
	}
	return "", false
}

// ListSeparator separates the items of a list column (a project's sites).
const ListSeparator = "|"

// SplitList splits a list column into its cleaned items, dropping empty items and
// exact repeats, in the order written. Items that differ only by case are both kept:
// CaseTwins finds them.
func SplitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var items []string
	for _, it := range strings.Split(s, ListSeparator) {
		it = CleanText(it)
		if it != "" && !contains(items, it) {
			items = append(items, it)
		}
	}
	return items
}

// listHolds reports whether v is among the items of list as SplitList reads them, and
// whether there are any; without making the list (once per child row).
func listHolds(list, v string) (among, some bool) {
	for {
		item, rest, more := strings.Cut(list, ListSeparator)
		if item = CleanText(item); item != "" {
			some = true
			if item == v {
				return true, true
			}
		}
		if !more {
			return false, some
		}
		list = rest
	}
}

// CaseTwins returns the first two items that differ only by case ("Lyon", "lyon"), which
// name one site twice: a defect to report, not to pick from.
func CaseTwins(items []string) (string, string, bool) {
	seen := map[string]string{}
	for _, it := range items {
		k := strings.ToLower(it)
		if first, ok := seen[k]; ok {
			return first, it, true
		}
		seen[k] = it
	}
	return "", "", false
}

// JoinList is the canonical text of a list column.
func JoinList(items []string) string { return strings.Join(items, ListSeparator) }

// ListInByteOrder is a list column with its items sorted by their bytes, as the
// database gives a list back (its items are rows, read in the order of their binary
// collation); the canonical text keeps the order its line wrote them in.
func ListInByteOrder(list string) string {
	items := SplitList(list)
	slices.Sort(items)
	return JoinList(items)
}

func contains(items []string, s string) bool {
	for _, it := range items {
		if it == s {
			return true
		}
	}
	return false
}

// runeLen is the length MariaDB's CHAR_LENGTH and VARCHAR(n) count.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
