package rules

// Code names why a row was rejected, ignored, isolated or warned about. Codes are stable:
// logs, reports, rejected-row files and the database journal all carry them, so people
// and scripts filter on them. Add codes; never rename one.
type Code string

// The catalogue of the contract, plus the codes of the file and database levels.
const (
	MalformedRow           Code = "MALFORMED_ROW"
	MissingRequired        Code = "MISSING_REQUIRED"
	TooLong                Code = "TOO_LONG"
	BadInteger             Code = "BAD_INTEGER"
	BadDecimal             Code = "BAD_DECIMAL"
	BadDate                Code = "BAD_DATE"
	DateInFuture           Code = "DATE_IN_FUTURE"
	BadEmail               Code = "BAD_EMAIL"
	BadEnum                Code = "BAD_ENUM"
	OutOfRange             Code = "OUT_OF_RANGE"
	DateOrder              Code = "DATE_ORDER"
	EndDateRequired        Code = "END_DATE_REQUIRED"
	SatisfactionNotAllowed Code = "SATISFACTION_NOT_ALLOWED"
	UnknownReference       Code = "UNKNOWN_REFERENCE"
	EmailTaken             Code = "EMAIL_TAKEN"
	DuplicateRow           Code = "DUPLICATE_ROW"
	DuplicateKeyConflict   Code = "DUPLICATE_KEY_CONFLICT"
	SiteNotInProject       Code = "SITE_NOT_IN_PROJECT"
	OutsideProjectDates    Code = "OUTSIDE_PROJECT_DATES"
	AlreadyLoaded          Code = "ALREADY_LOADED"
	BadList                Code = "BAD_LIST" // a list item holding , ; or /: another separator than |, or items differing only by case
	BadText                Code = "BAD_TEXT" // a text holding a control or invisible format character

	// File and database level.
	UnknownColumn Code = "UNKNOWN_COLUMN" // a header names no column of the entity: reported, ignored
	MissingColumn Code = "MISSING_COLUMN" // a required column is absent: the file is not loaded
	DBRefused     Code = "DB_REFUSED"     // the database refused a row the checks accepted
	MixedEncoding Code = "MIXED_ENCODING" // a line in another encoding than its file's: decoded in its own, logged
	StrayBOM      Code = "STRAY_BOM"      // a BOM at the start of a data line (files pasted together): removed, logged
)

// Catalogue describes every code in plain language, for reports and -h texts.
var Catalogue = map[Code]string{
	MalformedRow:           "the line cannot be parsed as a CSV record (field count, quoting)",
	MissingRequired:        "a required value is empty",
	TooLong:                "a text is longer than its column allows",
	BadInteger:             "not a whole number",
	BadDecimal:             "not a decimal number in an accepted form, or too many decimals",
	BadDate:                "not a date in an accepted form, or no such day",
	DateInFuture:           "a date that cannot be in the future is after today",
	BadEmail:               "not an e-mail address",
	BadEnum:                "not one of the allowed values",
	OutOfRange:             "a number outside its allowed range",
	DateOrder:              "an end date before its start date",
	EndDateRequired:        "a finished project without an end date",
	SatisfactionNotAllowed: "a satisfaction score on a project that is not finished",
	UnknownReference:       "refers to a row that does not exist (or was rejected)",
	EmailTaken:             "an e-mail address already used by another row",
	DuplicateRow:           "identical to a row read before: ignored",
	DuplicateKeyConflict:   "same key as another row, with other content",
	SiteNotInProject:       "a site that is not among its project's sites",
	OutsideProjectDates:    "dates outside those of its project",
	AlreadyLoaded:          "identical row already in the database: ignored",
	BadList:                "a list written with another separator than |, or with items that differ only by case",
	BadText:                "a text holding a control character (NUL, DEL, ...) or an invisible one (zero-width space, BOM, ...)",
	UnknownColumn:          "a column the entity does not have: ignored",
	MissingColumn:          "a required column is missing from the file",
	DBRefused:              "the database refused the row",
	MixedEncoding:          "a line in another encoding than the rest of its file (UTF-8 or Windows-1252): read in its own",
	StrayBOM:               "a byte-order mark at the start of a data line (two files pasted together?): removed",
}

// Describe returns the plain-language meaning of code, or "" for an unknown code.
func Describe(code Code) string { return Catalogue[code] }

// Violation is one broken rule of one row: the column (or columns, comma-separated) at
// fault, the stable code, and a detail for people ("date_fin 2023-01-01 is before
// date_debut 2023-02-01").
type Violation struct {
	Column string
	Code   Code
	Detail string
}

var _ error = (*Violation)(nil)

func (v *Violation) Error() string {
	if v.Column == "" {
		return string(v.Code) + ": " + v.Detail
	}
	return string(v.Code) + " " + v.Column + ": " + v.Detail
}
