package rules

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"dmt/pkg/model"
)

// Kind is the type of a column's values.
type Kind int

const (
	Text    Kind = iota // free text, cleaned
	Email               // an e-mail address, cleaned and lower-cased
	Integer             // a whole number
	Decimal             // an exact decimal(Precision, Scale)
	Date                // a calendar date
	Enum                // one of Values, in canonical spelling
	List                // items separated by '|', each a Text of at most MaxLen without , ; or /
)

// Bound is a limit on a number: the value and whether the limit itself is allowed.
type Bound struct {
	Value     int64
	Inclusive bool
}

// Field is one column of an entity with every single-value rule of the contract: its
// kind, whether it is required, its length, its range, its allowed values. Normalize is
// its Go form, SQL its form for a stored column; both say the same.
type Field struct {
	Name      string
	Kind      Kind
	Required  bool
	MaxLen    int               // in characters; 0: no limit (Text, Email, List items)
	Precision int               // Decimal: digits in all
	Scale     int               // Decimal: digits after the point
	Min, Max  *Bound            // Integer and Decimal
	Values    []string          // Enum, canonical spellings
	Synonyms  map[string]string // Enum: folded synonym -> value, for reprise's repairs
	NotFuture bool              // Date: not after today
}

// AtLeast, MoreThan and AtMost make bounds for Field.Min and Field.Max.
func AtLeast(n int64) *Bound  { return &Bound{Value: n, Inclusive: true} }
func MoreThan(n int64) *Bound { return &Bound{Value: n} }
func AtMost(n int64) *Bound   { return &Bound{Value: n, Inclusive: true} }

// Normalize returns the canonical text of raw ("" for an empty optional value), or the
// first rule raw breaks. today is the date after which a NotFuture date is refused.
func (f *Field) Normalize(raw string, today model.Date) (string, *Violation) {
	var s string
	if f.Kind == Email {
		s = CleanEmail(raw)
	} else {
		s = CleanText(raw)
	}
	if s == "" {
		if f.Required {
			return "", f.violation(MissingRequired, "is required")
		}
		return "", nil
	}
	if f.Kind == Text || f.Kind == List {
		if r, bad := Invisible(s); bad {
			return "", f.violation(BadText, fmt.Sprintf("holds the invisible or control character %U", r))
		}
	}
	switch f.Kind {
	case Text:
		if f.MaxLen > 0 && runeLen(s) > f.MaxLen {
			return "", f.violation(TooLong, fmt.Sprintf("%d characters, at most %d", runeLen(s), f.MaxLen))
		}
		return s, nil
	case Email:
		if f.MaxLen > 0 && runeLen(s) > f.MaxLen {
			return "", f.violation(TooLong, fmt.Sprintf("%d characters, at most %d", runeLen(s), f.MaxLen))
		}
		if !ValidEmail(s) {
			// EmailPattern is ASCII: an invisible character fails it too, and is named.
			if r, bad := Invisible(s); bad {
				return "", f.violation(BadEmail, fmt.Sprintf("%q holds the invisible or control character %U", s, r))
			}
			return "", f.violation(BadEmail, fmt.Sprintf("%q is not an ASCII e-mail address", s))
		}
		return s, nil
	case Integer:
		n, err := ParseInteger(s)
		if err != nil {
			return "", f.violation(BadInteger, fmt.Sprintf("%q is not a whole number", s))
		}
		if !f.inRange(n, 0) {
			return "", f.violation(OutOfRange, fmt.Sprintf("%d is %s", n, f.rangeText()))
		}
		if canonicalInteger(s) {
			return s, nil // as FormatInt writes it: no copy
		}
		return strconv.FormatInt(n, 10), nil
	case Decimal:
		if d, ok := canonicalDecimal(s, f.Precision, f.Scale); ok {
			if !f.inRange(d.Units, d.Scale) {
				return "", f.violation(OutOfRange, fmt.Sprintf("%s is %s", d, f.rangeText()))
			}
			return s, nil // as d.String() writes it: no copy
		}
		d, err := ParseDecimal(s, f.Precision, f.Scale)
		if err == ErrAmbiguousDecimal {
			whole, frac, _ := strings.Cut(s, ",")
			return "", f.violation(BadDecimal, fmt.Sprintf("%q is ambiguous: %s.%s or %s%s? (write it with a decimal point, or without the comma)", s, whole, frac, whole, frac))
		}
		if err == ErrPrecision {
			return "", f.violation(OutOfRange, fmt.Sprintf("%q has more than %d digits before the point", s, f.Precision-f.Scale))
		}
		if err != nil {
			return "", f.violation(BadDecimal, fmt.Sprintf("%q is not a decimal with at most %d decimals", s, f.Scale))
		}
		if !f.inRange(d.Units, d.Scale) {
			return "", f.violation(OutOfRange, fmt.Sprintf("%s is %s", d, f.rangeText()))
		}
		return d.String(), nil
	case Date:
		d, err := ParseDate(s)
		if err != nil {
			return "", f.violation(BadDate, fmt.Sprintf("%q is not a date (YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, YYYY/MM/DD)", s))
		}
		if f.NotFuture && !today.IsZero() && today.Before(d) {
			return "", f.violation(DateInFuture, fmt.Sprintf("%s is after today %s", d, today))
		}
		if isoDate(s) {
			return s, nil // as d.String() writes it: no copy
		}
		return d.String(), nil
	case Enum:
		v, ok := NormalizeEnum(s, f.Values)
		if !ok {
			return "", f.violation(BadEnum, fmt.Sprintf("%q is not one of %s", s, strings.Join(f.Values, ", ")))
		}
		return v, nil
	case List:
		items := SplitList(s)
		for _, it := range items {
			if strings.ContainsAny(it, ",;/") {
				return "", f.violation(BadList, fmt.Sprintf("item %q holds a separator other than %q", it, ListSeparator))
			}
			if f.MaxLen > 0 && runeLen(it) > f.MaxLen {
				return "", f.violation(TooLong, fmt.Sprintf("item %q has %d characters, at most %d", it, runeLen(it), f.MaxLen))
			}
		}
		if a, b, twins := CaseTwins(items); twins {
			return "", f.violation(BadList, fmt.Sprintf("items %q and %q differ only by case", a, b))
		}
		if len(items) == 0 && f.Required {
			return "", f.violation(MissingRequired, "is required")
		}
		return JoinList(items), nil
	}
	return "", f.violation(MalformedRow, "unknown kind")
}

func (f *Field) violation(code Code, detail string) *Violation {
	return &Violation{Column: f.Name, Code: code, Detail: detail}
}

// inRange compares units×10^-scale with the bounds without leaving integers.
// canonicalInteger reports whether s is a whole number as strconv.FormatInt writes
// it: digits without leading zeros, a minus sign for a negative one.
func canonicalInteger(s string) bool {
	digits := strings.TrimPrefix(s, "-")
	return allDigits(digits) && len(digits) <= 18 && (digits[0] != '0' || s == "0")
}

// canonicalDecimal reads s when it is a decimal of the field's scale as
// model.Decimal.String writes it (digits, without leading zeros, exactly scale
// decimals after a point, a minus sign for a value below zero) and within its
// precision: most values of a file are, and Normalize then keeps s. Any other form is
// false, for ParseDecimal.
func canonicalDecimal(s string, precision, scale int) (model.Decimal, bool) {
	digits := strings.TrimPrefix(s, "-")
	whole, frac := digits, ""
	if scale > 0 {
		var point bool
		if whole, frac, point = strings.Cut(digits, "."); !point || len(frac) != scale || !allDigits(frac) {
			return model.Decimal{}, false
		}
	}
	if !allDigits(whole) || whole[0] == '0' && len(whole) > 1 {
		return model.Decimal{}, false
	}
	if whole == "0" {
		whole = ""
	}
	if len(whole) > precision-scale || len(whole)+scale > 18 {
		return model.Decimal{}, false // ErrPrecision, or more digits than int64 surely holds
	}
	var units int64
	for _, part := range [2]string{whole, frac} {
		for i := 0; i < len(part); i++ {
			units = units*10 + int64(part[i]-'0')
		}
	}
	if len(digits) < len(s) {
		if units == 0 {
			return model.Decimal{}, false // "-0.0": String writes 0.0
		}
		units = -units
	}
	return model.Decimal{Units: units, Scale: scale}, true
}

func (f *Field) inRange(units int64, scale int) bool {
	mul := int64(1)
	for range scale {
		mul *= 10
	}
	if b := f.Min; b != nil && (units < b.Value*mul || (!b.Inclusive && units == b.Value*mul)) {
		return false
	}
	if b := f.Max; b != nil && (units > b.Value*mul || (!b.Inclusive && units == b.Value*mul)) {
		return false
	}
	return true
}

func (f *Field) rangeText() string {
	var parts []string
	if b := f.Min; b != nil {
		op := "> "
		if b.Inclusive {
			op = ">= "
		}
		parts = append(parts, op+strconv.FormatInt(b.Value, 10))
	}
	if b := f.Max; b != nil {
		op := "< "
		if b.Inclusive {
			op = "<= "
		}
		parts = append(parts, op+strconv.FormatInt(b.Value, 10))
	}
	return "out of range (" + strings.Join(parts, " and ") + ")"
}

// SQLCheck is the SQL form of one rule of a field, over its stored column: Valid is a
// predicate true for a value that keeps the rule (NULL counts as keeping it unless the
// rule is the required one). Validate counts the rows where NOT COALESCE(Valid, FALSE).
type SQLCheck struct {
	Code  Code
	Valid string
	Rule  string // the rule in plain words: "at most 150 characters"
}

// SQL returns the SQL forms of f's rules over column col (an identifier or an alias
// like "c.email"). A List field's items live in another table: its checks are the
// domain's. Built from constants of the rule, never from data; today is the date the
// not-in-the-future rule compares with, given by the caller (the same local date
// migration judged with, not the server's CURRENT_DATE, whose session may be UTC), and
// written as a DATE literal from its numbers. A bound that an INT column holds by its
// type (-2147483648, 2147483647) is no check a user could act on, and is left out.
func (f *Field) SQL(col string, today model.Date) []SQLCheck {
	var checks []SQLCheck
	if f.Required && f.Kind != List {
		pred := col + " IS NOT NULL"
		if f.Kind == Text || f.Kind == Email || f.Kind == Enum {
			pred += " AND " + col + " <> ''"
		}
		if f.Kind == Text {
			// Go's CleanText trims every white space (unicode.IsSpace): a text of no-break
			// spaces is empty to migration, so it must be to validate ("<> ''" pads only
			// spaces). E-mails and enumerations hold none by their own rule.
			pred += " AND " + col + " REGEXP " + NotBlankSQL
		}
		checks = append(checks, SQLCheck{MissingRequired, pred, "is required"})
	}
	orNull := col + " IS NULL OR "
	switch f.Kind {
	case Text:
		checks = append(checks, SQLCheck{BadText, orNull + VisibleSQL(col), "holds no control or invisible character"})
		if f.MaxLen > 0 {
			checks = append(checks, SQLCheck{TooLong, orNull + "CHAR_LENGTH(" + col + ") <= " + strconv.Itoa(f.MaxLen), fmt.Sprintf("has at most %d characters", f.MaxLen)})
		}
	case Email:
		checks = append(checks, SQLCheck{BadEmail, orNull + "(" + col + " = LOWER(TRIM(" + col + ")) AND " + col + " REGEXP " + EmailSQLPattern + ")",
			"is an ASCII e-mail address, trimmed and lower-case"})
		if f.MaxLen > 0 {
			checks = append(checks, SQLCheck{TooLong, orNull + "CHAR_LENGTH(" + col + ") <= " + strconv.Itoa(f.MaxLen), fmt.Sprintf("has at most %d characters", f.MaxLen)})
		}
	case Integer, Decimal:
		var conds, words []string
		if b := f.Min; b != nil && !(f.Kind == Integer && b.Inclusive && b.Value == math.MinInt32) {
			conds = append(conds, col+map[bool]string{true: " >= ", false: " > "}[b.Inclusive]+strconv.FormatInt(b.Value, 10))
			words = append(words, map[bool]string{true: "at least ", false: "greater than "}[b.Inclusive]+strconv.FormatInt(b.Value, 10))
		}
		if b := f.Max; b != nil && !(f.Kind == Integer && b.Inclusive && b.Value == math.MaxInt32) {
			conds = append(conds, col+map[bool]string{true: " <= ", false: " < "}[b.Inclusive]+strconv.FormatInt(b.Value, 10))
			words = append(words, map[bool]string{true: "at most ", false: "less than "}[b.Inclusive]+strconv.FormatInt(b.Value, 10))
		}
		if len(conds) > 0 {
			checks = append(checks, SQLCheck{OutOfRange, orNull + "(" + strings.Join(conds, " AND ") + ")", "is " + strings.Join(words, " and ")})
		}
	case Date:
		if f.NotFuture {
			checks = append(checks, SQLCheck{DateInFuture, orNull + col + " <= DATE '" + today.String() + "'", "is not after today (" + today.String() + ")"})
		}
	case Enum:
		quoted := make([]string, len(f.Values))
		for i, v := range f.Values {
			quoted[i] = "'" + v + "'"
		}
		checks = append(checks, SQLCheck{BadEnum, orNull + col + " IN (" + strings.Join(quoted, ", ") + ")", "is one of " + strings.Join(f.Values, ", ")})
	}
	return checks
}
