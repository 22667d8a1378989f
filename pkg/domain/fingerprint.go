package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"dmt/pkg/rules"
)

// A row fingerprint is the SHA-256, in lower-case hex, of a row's canonical values in a
// fixed column order: each value as the loader sends it ("" for NULL is written as the
// byte 0), values separated by the byte 31 (unit separator). Neither byte can occur in
// a canonical value (control characters are refused at load), so two different rows
// never share an encoding. The loader stores it in row_sha beside the row's lineage;
// validate recomputes it in SQL from the stored columns, so a row changed or added by
// other means than the toolkit no longer matches its fingerprint. It is a checksum, not
// a signature: someone who knows the recipe can forge it. It catches the hand-made
// UPDATE, the careless script and the restored backup of another table, not an
// attacker with write access who reads this comment.
//
// The SQL form reads each column as CAST(col AS BINARY), which gives exactly the bytes
// of the canonical text of the Go side for the column types of the schemas: INT "12",
// DECIMAL(12,2) "12500.50" (the scale of the column is the scale of the field), DATE
// "2023-01-10", text as stored (every table is utf8mb4). The bytes are those of CAST(col
// AS CHAR CHARACTER SET utf8mb4), without its conversion: a fifth less time for
// validate's check of a million fingerprints.

// FingerprintNull and FingerprintSep are the bytes that stand for NULL and separate
// values in the encoding a fingerprint hashes.
const (
	FingerprintNull = "\x00"
	FingerprintSep  = "\x1f"
)

// FingerprintColumn is the column of every fingerprinted table that holds the row's
// fingerprint.
const FingerprintColumn = "row_sha"

// Fingerprint returns the fingerprint of canonical values ("" is NULL), in order.
func Fingerprint(vals []string) string {
	var text [512]byte // room for a row of common size, on the stack
	var out [2 * sha256.Size]byte
	return string(appendSum(out[:0], appendValuesText(text[:0], vals)))
}

// FingerprintSQL returns the SQL expression that computes Fingerprint of the values of
// exprs (column references or expressions; NULL is NULL), in order.
func FingerprintSQL(exprs []string) string {
	parts := make([]string, len(exprs))
	for i, x := range exprs {
		parts[i] = "COALESCE(CAST(" + x + " AS BINARY), CHAR(0))"
	}
	return "SHA2(CONCAT_WS(CHAR(31), " + strings.Join(parts, ", ") + "), 256)"
}

// Fingerprint returns the fingerprint of a row of e (canonical values aligned with
// e.Fields). A list column counts as its items sorted by their bytes and joined with
// "|", so the order the file listed them in does not matter, and the fingerprint of a
// project covers its projet_sites rows: one deleted or added changes it.
func (e *Entity) Fingerprint(vals []string) string {
	var text [512]byte // room for a row of common size, on the stack
	var items [16]string
	var out [2 * sha256.Size]byte
	t, _ := appendRowText(text[:0], items[:0], e, vals)
	return string(appendSum(out[:0], t))
}

// Fingerprinter computes fingerprints in buffers it keeps from one row to the next: the
// loader computes one per row, millions in a run, without allocating. Its zero value
// is ready; it is not safe for concurrent use.
type Fingerprinter struct {
	text  []byte   // the encoding hashed
	items []string // a list's items, to sort
}

// Append appends to dst the fingerprint of a row of e, as Entity.Fingerprint returns it.
func (f *Fingerprinter) Append(dst []byte, e *Entity, vals []string) []byte {
	f.text, f.items = appendRowText(f.text[:0], f.items[:0], e, vals)
	return appendSum(dst, f.text)
}

// AppendValues appends to dst the fingerprint of vals, as Fingerprint returns it.
func (f *Fingerprinter) AppendValues(dst []byte, vals []string) []byte {
	f.text = appendValuesText(f.text[:0], vals)
	return appendSum(dst, f.text)
}

// appendRowText appends the encoding hashed for a row of e to text; items is room for
// a list's items, to sort, returned grown.
func appendRowText(text []byte, items []string, e *Entity, vals []string) ([]byte, []string) {
	for i, fld := range e.Fields {
		if i > 0 {
			text = append(text, FingerprintSep...)
		}
		v := ""
		if i < len(vals) {
			v = vals[i]
		}
		switch {
		case v == "":
			text = append(text, FingerprintNull...)
		case fld.Kind == rules.List:
			items = items[:0]
			for {
				item, rest, more := strings.Cut(v, rules.ListSeparator)
				items = append(items, item)
				if !more {
					break
				}
				v = rest
			}
			slices.Sort(items)
			for k, item := range items {
				if k > 0 {
					text = append(text, rules.ListSeparator...)
				}
				text = append(text, item...)
			}
		default:
			text = append(text, v...)
		}
	}
	return text, items
}

// appendValuesText appends the encoding hashed for vals to text.
func appendValuesText(text []byte, vals []string) []byte {
	for i, v := range vals {
		if i > 0 {
			text = append(text, FingerprintSep...)
		}
		if v == "" {
			v = FingerprintNull
		}
		text = append(text, v...)
	}
	return text
}

func appendSum(dst, text []byte) []byte {
	sum := sha256.Sum256(text)
	return hex.AppendEncode(dst, sum[:])
}

// Same reports whether two rows of e (canonical values aligned with e.Fields) hold the
// same content, as their fingerprints would say but compared on the values themselves: a
// list column is the same set of items in any order (a list read back from the database
// comes in byte order).
func (e *Entity) Same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		if i >= len(e.Fields) || e.Fields[i].Kind != rules.List {
			return false
		}
		x, y := strings.Split(a[i], rules.ListSeparator), strings.Split(b[i], rules.ListSeparator)
		slices.Sort(x)
		slices.Sort(y)
		if !slices.Equal(x, y) {
			return false
		}
	}
	return true
}

// FingerprintSQL returns the SQL form of e.Fingerprint: column gives the SQL of each
// field (for a list column, its items sorted by their bytes and joined with "|", as
// ListItemsSQL builds them; NULL or "" when there are none).
func (e *Entity) FingerprintSQL(column func(field string) string) string {
	exprs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		exprs[i] = column(f.Name)
	}
	return FingerprintSQL(exprs)
}

// ListItemsSQL is the SQL of the items of list l per key, as Entity.Fingerprint joins
// them: a derived table (key column, items) to LEFT JOIN on the key. The server must
// allow GROUP_CONCAT results of the list's length (group_concat_max_len, set for every
// session the toolkit opens).
func (e *Entity) ListItemsSQL(l List) string {
	key := rules.QuoteIdent(e.KeyColumn())
	return "(SELECT " + key + ", " + listItems(l) + " AS items FROM " + rules.QuoteIdent(l.Table) + " GROUP BY " + key + ")"
}

// ListItemsOfSQL is the same items for the one row whose key is the SQL key (c.id_projet):
// a scalar subquery, NULL when there are none. Over a whole table it costs an index
// look-up per row, where the derived table of ListItemsSQL builds every list at once
// in a temporary table (on disk, since GROUP_CONCAT gives a blob).
func (e *Entity) ListItemsOfSQL(l List, key string) string {
	return "(SELECT " + listItems(l) + " FROM " + rules.QuoteIdent(l.Table) + " WHERE " + rules.QuoteIdent(e.KeyColumn()) + " = " + key + ")"
}

// listItems aggregates the items of a list in the order Entity.Fingerprint sorts them.
func listItems(l List) string {
	item := rules.QuoteIdent(l.ItemColumn)
	return "GROUP_CONCAT(" + item + " ORDER BY CAST(" + item + " AS BINARY) SEPARATOR '" + rules.ListSeparator + "')"
}

// Derived is a table whose rows SQL derives from an entity's rows as they load
// (distributech's stock movements): Columns are those its fingerprint covers, in order;
// Key names a row in reports.
type Derived struct {
	Table   string
	Key     []string
	Columns []string
}
