package rules

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Correction is one repair of one value, for reprise's log: the column, the value before
// and after, and the rule that allowed it.
type Correction struct {
	Column, Before, After, Rule string
}

// ErrAmbiguous is returned (wrapped, with the reason) when a value could be repaired in
// more than one way: reprise never guesses, it isolates the row.
var ErrAmbiguous = fmt.Errorf("ambiguous")

// Repair tries to turn a raw value that Normalize refuses into one it accepts, when
// there is exactly one reading of it: the date, number, enumeration, e-mail and list
// forms that people and tools write by mistake. It returns the repaired raw value and
// the rule applied; ok is false when no repair rule applies, and err wraps ErrAmbiguous
// when several readings are possible.
func (f *Field) Repair(raw string) (fixed, rule string, ok bool, err error) {
	s := CleanText(raw)
	if f.Kind == Email {
		s = collapseSpace(raw) // no NFC: it would make the Kelvin sign a k
	}
	stripped := false
	if f.Kind == Text || f.Kind == Email || f.Kind == List {
		// Invisible characters at the ends (a zero-width space after an e-mail, a BOM
		// before a name) come from copy and paste: removing them changes nothing seen.
		if t := strings.TrimFunc(s, func(r rune) bool { return unicode.Is(unicode.Cf, r) }); t != s {
			if _, bad := Invisible(t); !bad {
				s, stripped = CleanText(t), true
			}
		}
	}
	fixed, rule, ok, err = f.repairKind(s)
	switch {
	case err != nil || !stripped:
		return fixed, rule, ok, err
	case ok:
		return fixed, "invisible_removed+" + rule, true, nil
	}
	return s, "invisible_removed", true, nil
}

// repairKind is Repair for the forms of f's kind.
func (f *Field) repairKind(s string) (fixed, rule string, ok bool, err error) {
	switch f.Kind {
	case Date:
		return repairDate(s)
	case Enum:
		return f.repairEnum(s)
	case Decimal:
		if ambiguousComma.MatchString(strings.TrimLeft(s, "+-")) {
			return "", "", false, fmt.Errorf("%w: %q could be %s or %s", ErrAmbiguous, s, strings.Replace(s, ",", ".", 1), strings.Replace(s, ",", "", 1))
		}
		if v, ok := stripCurrency(s); ok {
			return v, "currency_removed", true, nil
		}
	case Integer:
		return f.repairInteger(s)
	case Email:
		return repairEmail(s)
	case List:
		if strings.ContainsAny(s, ",;/") && !strings.Contains(s, ListSeparator) {
			items := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '/' })
			return JoinList(items), "list_separator", true, nil
		}
	}
	return "", "", false, nil
}

var frenchMonths = map[string]int{
	"janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6,
	"juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
	"decembre": 12, "dec": 12,
}

var (
	dottedDate = regexp.MustCompile(`^(\d{4})\.(\d{1,2})\.(\d{1,2})$`)
	slashDate  = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)
	wordDate   = regexp.MustCompile(`^(\d{1,2})(?:er)?[ -]+([\p{L}.]+)[ -]+(\d{4})$`)
)

// repairDate reads the date forms only reprise accepts: YYYY.MM.DD, month/day/year when
// the day is over 12 (so that it cannot be a day/month), "5 mars 2023", "05-mars-2023".
func repairDate(s string) (string, string, bool, error) {
	if m := dottedDate.FindStringSubmatch(s); m != nil {
		return dateText(atoi(m[1]), atoi(m[2]), atoi(m[3]), "dotted_date")
	}
	if m := slashDate.FindStringSubmatch(s); m != nil {
		a, b, y := atoi(m[1]), atoi(m[2]), atoi(m[3])
		if a <= 12 && b > 12 {
			return dateText(y, a, b, "month_first_date")
		}
	}
	if m := wordDate.FindStringSubmatch(s); m != nil {
		month, ok := frenchMonths[strings.TrimSuffix(Fold(m[2]), ".")]
		if !ok {
			return "", "", false, nil
		}
		return dateText(atoi(m[3]), month, atoi(m[1]), "french_month_name")
	}
	return "", "", false, nil
}

func dateText(y, m, d int, rule string) (string, string, bool, error) {
	date, err := makeDate(y, m, d)
	if err != nil {
		return "", "", false, nil
	}
	return date.String(), rule, true, nil
}

// repairEnum maps a synonym, or a misspelling within two edits of exactly one allowed
// value, to that value.
func (f *Field) repairEnum(s string) (string, string, bool, error) {
	k := strings.Trim(Fold(s), "._")
	if v, ok := f.Synonyms[k]; ok {
		return v, "synonym", true, nil
	}
	if v, ok := NormalizeEnum(k, f.Values); ok {
		return v, "punctuation_removed", true, nil
	}
	best, bestDist, tie := "", 3, false
	for _, v := range f.Values {
		d := editDistance(k, Fold(v))
		switch {
		case d < bestDist:
			best, bestDist, tie = v, d, false
		case d == bestDist:
			tie = true
		}
	}
	if best == "" || len(k) < 4 {
		return "", "", false, nil
	}
	if tie {
		return "", "", false, fmt.Errorf("%w: %q is as close to several values", ErrAmbiguous, s)
	}
	return best, fmt.Sprintf("spelling_%d_edit", bestDist), true, nil
}

// editDistance is the optimal-string-alignment distance: insertions, deletions,
// substitutions and transpositions of neighbours each count one.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

var currency = regexp.MustCompile(`(?i)^(?:€|eur|euros?)?\s*([-+]?[\d\s.,\x{a0}\x{202f}]+?)\s*(?:€|eur|euros?)?$`)

// stripCurrency removes a euro sign or code around a number. Other currencies are left
// alone: converting them would be a guess.
func stripCurrency(s string) (string, bool) {
	m := currency.FindStringSubmatch(s)
	if m == nil || m[1] == s {
		return "", false
	}
	return strings.TrimSpace(m[1]), true
}

var scoreOutOf = regexp.MustCompile(`^(\d+)\s*/\s*(\d+)$`)

// repairInteger reads "4,0" and "4.0" as 4, and "4/5" as 4 when the field's maximum is
// 5 (a score out of 5). "7/10" is left alone: rescaling would be a guess.
func (f *Field) repairInteger(s string) (string, string, bool, error) {
	for _, sep := range []string{",", "."} {
		if i, frac, found := strings.Cut(s, sep); found && strings.Trim(frac, "0") == "" && frac != "" && allDigits(i) {
			return i, "zero_decimals_removed", true, nil
		}
	}
	if m := scoreOutOf.FindStringSubmatch(s); m != nil && f.Max != nil && strconv.FormatInt(f.Max.Value, 10) == m[2] {
		return m[1], "score_out_of_max", true, nil
	}
	return "", "", false, nil
}

// repairEmail removes a mailto: prefix, inner spaces and trailing dots.
func repairEmail(s string) (string, string, bool, error) {
	v := CleanEmail(s)
	v = strings.TrimPrefix(v, "mailto:")
	v = strings.Join(strings.Fields(v), "")
	v = strings.TrimRight(v, ".")
	if v == CleanEmail(s) || !ValidEmail(v) {
		return "", "", false, nil
	}
	return v, "email_cleaned", true, nil
}
