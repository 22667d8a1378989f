// Package validate checks a whole database against its domain's rules after the fact,
// set-based: each check is one SQL query that returns the keys of the offending rows.
// The queries are built from the SQL forms that pkg/rules keeps beside the Go forms
// migration uses, so validate and migration cannot disagree; they do not rely on the
// database's own constraints, which may be missing.
package validate

import (
	"slices"
	"strconv"
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// Kinds of checks, as the report groups them.
const (
	Volumes     = "volumes"
	Uniqueness  = "uniqueness"
	NotNull     = "not-null"
	Values      = "values"
	Consistency = "consistency"
	Lineage     = "lineage"
)

// Check is one rule over the whole database. Query lists its offenders (one column, k:
// the key of an offending row, or a group); alone it is the check.
//
// Checks over the rows of one table share one scan of it: Pass is that scan's FROM
// clause (the table as c, LEFT JOINed only on keys, so that it yields each of its rows
// once) and Count an aggregate over it that is 0 only when Query finds nothing. Every
// check of a pass is counted by one query, and Query runs only for those whose Count is
// not 0, for their count and samples. A Count without Pass is a query of its own, one
// integer, with the same meaning (a look-up that an index serves, where Query builds
// the samples' text for every group).
type Check struct {
	Name        string
	Kind        string
	Description string
	Query       string
	Warn        bool   // findings are warnings: the check never fails
	Table       string // the table it reads, for the time per table ("" when several)
	Pass        string
	Count       string
	// Valid is a pass's check as a condition on one of its rows, when Count counts rows:
	// true where the row passes, false or NULL where it offends. The checks of a pass
	// that have one are counted together first, as the rows where any offends, and
	// apart only when some do (see Run): a database that passes pays one aggregate per
	// pass, not one per check.
	Valid string
	Proof Proof // a fact of the schema under which it finds nothing
}

// where makes c a pass's check that offends where cond holds (not where it is NULL).
func (c Check) where(cond string) Check {
	c.Count, c.Valid = countWhere(cond), "("+cond+") IS NOT TRUE"
	return c
}

// unless makes c a pass's check that offends where valid does not hold (false or NULL).
func (c Check) unless(valid string) Check {
	c.Count, c.Valid = countUnless(valid), "("+valid+")"
	return c
}

// Proof is a fact of a database's schema under which a check finds nothing, whatever
// the rows: Column of Table cannot hold NULL (NotNull), holds at most MaxChars
// characters, or is alone the table's primary key (Key: no two rows share a value); or
// a unique index of Table covers only columns among Unique (no two rows with none of
// them NULL share their values, compared as GROUP BY compares them: by the columns'
// collations). The zero Proof proves nothing. Run reads the schema as it is (information_schema),
// not as schema.sql says it should be, since validate does not rely on constraints
// that may be missing: a check whose fact does not hold runs.
type Proof struct {
	Table, Column string
	NotNull       bool
	MaxChars      int
	Key           bool
	Unique        []string
}

// holds reports whether p holds of the columns of a schema, keyed table.column.
func (p Proof) holds(cols map[string]store.Column) bool {
	if len(p.Unique) > 0 {
		return uniqueIndexAmong(cols, p.Table, p.Unique)
	}
	c, ok := cols[p.Table+"."+p.Column]
	switch {
	case !ok:
		return false
	case p.NotNull:
		return !c.Nullable
	case p.MaxChars > 0:
		return c.MaxChars > 0 && c.MaxChars <= int64(p.MaxChars)
	case p.Key:
		return c.Key
	}
	return false
}

// uniqueIndexAmong reports whether a unique index of table covers only columns among
// names.
func uniqueIndexAmong(cols map[string]store.Column, table string, names []string) bool {
	for _, first := range names {
		c, ok := cols[table+"."+first]
		if !ok || c.Uniques == "" {
			continue
		}
		for _, index := range strings.Split(c.Uniques, ";") {
			among := true
			for _, col := range strings.Split(index, ",") {
				among = among && slices.Contains(names, col)
			}
			if among {
				return true
			}
		}
	}
	return false
}

// proof is the fact of the schema that proves the rule valid of column col of table:
// "c.col IS NOT NULL" holds of a column that cannot hold NULL, and "c.col IS NULL OR
// CHAR_LENGTH(c.col) <= n" of a char or varchar of at most n characters. Any other
// rule proves nothing.
func proof(table, col, valid string) Proof {
	c := "c." + q(col)
	if valid == c+" IS NOT NULL" {
		return Proof{Table: table, Column: col, NotNull: true}
	}
	if n, ok := strings.CutPrefix(valid, c+" IS NULL OR CHAR_LENGTH("+c+") <= "); ok {
		if max, err := strconv.Atoi(n); err == nil && max > 0 {
			return Proof{Table: table, Column: col, MaxChars: max}
		}
	}
	return Proof{}
}

// fromDomain is a check that a domain states in SQL of its own.
func fromDomain(c domain.Check) Check {
	return Check{Name: c.Name, Kind: c.Kind, Description: c.Description, Query: c.Query, Warn: c.Warn}
}

// q is rules.QuoteIdent, short for the long queries of this package.
func q(ident string) string { return rules.QuoteIdent(ident) }

// Checks returns every check of domain d, in report order. Identifiers and constants
// come from the domain description, never from data; today is the date beyond which a
// date is in the future (cli.Today, or -today), as migration judged.
func Checks(d *domain.Domain, today model.Date) []Check {
	var cs []Check
	for _, e := range d.Entities {
		cs = append(cs, volumeCheck(e))
	}
	for _, e := range d.Entities {
		t, key := q(e.Name), keyExpr(e, "")
		c := Check{Name: e.Name + "." + e.KeyName() + " unique", Kind: Uniqueness, Table: e.Name,
			Description: "no two " + e.Name + " share their " + e.KeyName(),
			Query:       "SELECT CONCAT(" + key + ", ' (', COUNT(*), ' rows)') AS k FROM " + t + " GROUP BY " + key + " HAVING COUNT(*) > 1"}
		if len(e.Key) == 1 {
			// Grouped on the column alone, as its primary key compares it.
			c.Proof = Proof{Table: e.Name, Column: e.Key[0], Key: true}
		}
		cs = append(cs, c)
		for _, u := range e.Uniques {
			cs = append(cs, uniqueCheck(e, u))
		}
	}
	for _, e := range d.Entities {
		for i := range e.Fields {
			f := &e.Fields[i]
			for _, rule := range f.SQL("c."+q(f.Name), today) {
				kind := Values
				if rule.Code == rules.MissingRequired {
					kind = NotNull
				}
				desc := e.Name + "." + f.Name + " " + rule.Rule
				c := rowCheck(e, e.Name+"."+f.Name+" "+string(rule.Code), kind, desc, rule.Valid)
				c.Proof = proof(e.Name, f.Name, rule.Valid)
				cs = append(cs, c)
			}
		}
		for _, rr := range e.RowRules {
			cs = append(cs, rowCheck(e, e.Name+" "+rr.Name, Values, e.Name+": "+rr.Description, rr.SQL))
		}
	}
	for _, e := range d.Entities {
		for _, ref := range e.Refs {
			cs = append(cs, refCheck(d, e, ref))
		}
		for _, l := range e.Lists {
			cs = append(cs, Check{Name: l.Table + "." + e.KeyColumn() + " -> " + e.Name, Kind: Consistency, Table: l.Table,
				Description: "every row of " + l.Table + " belongs to an existing " + e.Name,
				Query: "SELECT DISTINCT l." + q(e.KeyColumn()) + " AS k FROM " + q(l.Table) + " l LEFT JOIN " + q(e.Name) + " p ON p." + q(e.KeyColumn()) +
					" = l." + q(e.KeyColumn()) + " WHERE p." + q(e.KeyColumn()) + " IS NULL",
				// The list's rows hashed on their key and the parents probed (see
				// hashJoin): at 300,000 rows less than half the time of the distinct
				// keys first (a loose scan of the list's key, each key looked up once).
				Count: hashJoin + "SELECT COUNT(*) FROM " + q(l.Table) + " l LEFT JOIN " + q(e.Name) + " p ON p." + q(e.KeyColumn()) +
					" = l." + q(e.KeyColumn()) + " WHERE p." + q(e.KeyColumn()) + " IS NULL"})
		}
		for _, pc := range e.ParentRules {
			p := d.Entity(pc.Ref.Parent)
			broken := "NOT COALESCE((" + pc.Rule.SQL + "), FALSE)"
			// The samples' query joins the parent first-to-last (STRAIGHT_JOIN): left to
			// itself, the optimizer may read every parent and reach its children through
			// a secondary index, a random read per child.
			cs = append(cs, Check{Name: e.Name + " " + pc.Rule.Name, Kind: Consistency, Table: e.Name,
				Description: e.Name + ": " + pc.Rule.Description,
				Query: "SELECT " + keyExpr(e, "c.") + " AS k FROM " + q(e.Name) + " c STRAIGHT_JOIN " + q(p.Name) + " p ON p." + q(p.KeyColumn()) + " = c." + q(pc.Ref.Column) +
					joinClause(pc.Rule.Join) + " WHERE " + broken,
				Pass: ruleScan(d, e, pc.Ref)}.unless("p."+q(p.KeyColumn())+" IS NULL OR ("+pc.Rule.SQL+")"))
		}
	}
	for _, dc := range d.Checks {
		if dc.Kind == "" {
			dc.Kind = Consistency
		}
		cs = append(cs, fromDomain(dc))
	}
	cs = append(cs, fingerprintChecks(d)...)
	// The history tables' rows (the earlier values of reference rows) name the run that
	// replaced them and the line that brought the new values: held to the same lineage.
	for _, t := range lineageTables(d) {
		bad := "c.run_id IS NULL OR c.run_id = '' OR c.source_file IS NULL OR c.source_file = '' OR c.source_line IS NULL OR c.source_line < 1"
		cs = append(cs, Check{Name: t.name + " lineage", Kind: Lineage, Table: t.name,
			Description: "every row of " + t.name + " records its run, source file and line",
			Query:       "SELECT " + t.key + " AS k FROM " + q(t.name) + " c WHERE " + bad,
			Pass:        q(t.name) + " c"}.where(bad),
			// The distinct runs first (an index serves them), then each looked up once.
			Check{Name: t.name + " runs in journal", Kind: Lineage, Table: t.name,
				Description: "the run that loaded each row of " + t.name + " is in the journal",
				Query: "SELECT r.run_id AS k FROM (SELECT DISTINCT c.run_id FROM " + q(t.name) + " c) r LEFT JOIN journal j ON j.run_id = r.run_id" +
					" WHERE r.run_id IS NOT NULL AND r.run_id <> '' AND j.run_id IS NULL"})
	}
	return byKind(cs)
}

// refCheck: every value of ref in e's rows is a key of its parent. When parent rules
// read that parent, the pass of those rules joins it already and counts the orphans
// beside them; otherwise the distinct values come first, in the order of the index
// that serves the reference, then each is looked up once in the parent.
func refCheck(d *domain.Domain, e *domain.Entity, ref domain.Ref) Check {
	p := d.Entity(ref.Parent)
	missing := "c." + q(ref.Column) + " IS NOT NULL AND p." + q(p.KeyColumn()) + " IS NULL"
	c := Check{Name: e.Name + "." + ref.Column + " -> " + p.Name, Kind: Consistency, Table: e.Name,
		Description: "every " + ref.Column + " of " + e.Name + " exists in " + p.Name + " (each orphan row: its key, file and line, then the missing " + ref.Column + ")",
		Query: "SELECT CONCAT(" + keyExpr(e, "c.") + ", ' (', COALESCE(c.source_file, '?'), ':', COALESCE(c.source_line, '?'), '): " + ref.Column + " ', c." + q(ref.Column) +
			", ' missing') AS k FROM " + q(e.Name) + " c" + parentJoin(d, ref, "p") + " WHERE " + missing + " ORDER BY c.source_file, c.source_line",
		Count: "SELECT COUNT(*) FROM (SELECT DISTINCT c." + q(ref.Column) + " FROM " + q(e.Name) + " c) c" + parentJoin(d, ref, "p") + " WHERE " + missing}
	for _, pc := range e.ParentRules {
		if pc.Ref.Column == ref.Column {
			c.Pass = ruleScan(d, e, ref)
			c = c.where(missing)
			break
		}
	}
	return c
}

// uniqueCheck: no two rows of e share u's columns, case and spaces aside. A column whose
// canonical form is lower-case and trimmed by its own rule (numbers, dates, e-mails,
// enumerations: a row that breaks it fails that rule) is grouped on its stored value,
// which the unique index serves; free text is grouped on LOWER(TRIM()). The samples
// show every column as LOWER(TRIM()).
//
// Groups on stored values are counted by a query of their own, which the unique index
// serves. Groups on LOWER(TRIM()), which no index serves, are counted in the pass over
// e: fewer distinct groups than rows with all the columns (COUNT(DISTINCT) skips a
// group with a NULL, and compares as GROUP BY does, by the collation) means two rows
// share one.
func uniqueCheck(e *domain.Entity, u domain.Unique) Check {
	t, key := q(e.Name), keyExpr(e, "")
	var shown, group, notNull []string
	stored := true
	for _, c := range u.Columns {
		shown = append(shown, "LOWER(TRIM("+q(c)+"))")
		notNull = append(notNull, q(c)+" IS NOT NULL")
		if f := e.Field(c); f != nil && storedCanonical(f.Kind) {
			group = append(group, q(c))
		} else {
			group = append(group, "LOWER(TRIM("+q(c)+"))")
			stored = false
		}
	}
	desc := "no two " + e.Name + " share " + strings.Join(u.Columns, " + ") + " (case and spaces aside)"
	if u.Warn {
		desc = "possible duplicates: " + e.Name + " with the same " + strings.Join(u.Columns, " + ") + " under several ids"
	}
	groups := " FROM " + t + " WHERE " + strings.Join(notNull, " AND ") + " GROUP BY " + strings.Join(group, ", ") + " HAVING COUNT(*) > 1"
	c := Check{Name: e.Name + "." + strings.Join(u.Columns, "+") + " unique", Kind: Uniqueness, Warn: u.Warn, Table: e.Name,
		Description: desc,
		Query: "SELECT CONCAT_WS(' ', CONCAT_WS('|', " + strings.Join(shown, ", ") + "), CONCAT('(" + e.KeyName() + " ', GROUP_CONCAT(" + key +
			" ORDER BY " + key + "), ')')) AS k" + groups,
		Count: "SELECT EXISTS (SELECT 1" + groups + ")"}
	if stored {
		// Grouped on the stored values, as a unique index over them compares them.
		c.Proof = Proof{Table: e.Name, Unique: u.Columns}
	} else {
		c.Pass = t + " c"
		c.Count = countWhere(strings.Join(notNull, " AND ")) + " - COUNT(DISTINCT " + strings.Join(group, ", ") + ")"
	}
	return c
}

// storedCanonical tells the kinds whose canonical text LOWER(TRIM()) leaves unchanged.
func storedCanonical(k rules.Kind) bool {
	switch k {
	case rules.Integer, rules.Decimal, rules.Date, rules.Email, rules.Enum:
		return true
	}
	return false
}

// rowCheck selects the keys of e's rows (alias c) where valid does not hold, counted in
// the pass over e's table, which every per-row check of the table shares.
func rowCheck(e *domain.Entity, name, kind, desc, valid string) Check {
	broken := "NOT COALESCE((" + valid + "), FALSE)"
	return Check{Name: name, Kind: kind, Description: desc, Table: e.Name,
		Query: "SELECT " + keyExpr(e, "c.") + " AS k FROM " + q(e.Name) + " c WHERE " + broken,
		Pass:  q(e.Name) + " c"}.unless(valid)
}

// countWhere counts the rows of a pass where cond holds (not where it is NULL, as WHERE).
func countWhere(cond string) string { return "COUNT(CASE WHEN " + cond + " THEN 1 END)" }

// countUnless counts the rows of a pass where valid does not hold (false or NULL): the
// rows NOT COALESCE((valid), FALSE) selects, a fifth cheaper to evaluate per row.
func countUnless(valid string) string { return "COUNT(CASE WHEN " + valid + " THEN NULL ELSE 1 END)" }

// ruleScan is the pass of the parent rules of e over ref: e as c, its parent as p (a
// LEFT JOIN on the parent's key: each row of c once), with the joins the rules need.
// The rows of c are read once, and their parent and what the rules join looked up by
// key; the other checks of e share the pass over e alone, which reads no other table.
func ruleScan(d *domain.Domain, e *domain.Entity, ref domain.Ref) string {
	from := q(e.Name) + " c" + parentJoin(d, ref, "p")
	for _, pc := range e.ParentRules {
		if j := joinClause(pc.Rule.Join); pc.Ref.Column == ref.Column && !strings.Contains(from, j) {
			from += j
		}
	}
	return from
}

// parentJoin LEFT JOINs ref's parent, as alias, on its key.
func parentJoin(d *domain.Domain, ref domain.Ref, alias string) string {
	p := d.Entity(ref.Parent)
	return " LEFT JOIN " + q(p.Name) + " " + alias + " ON " + alias + "." + q(p.KeyColumn()) + " = c." + q(ref.Column)
}

// joinClause is a rule's join, with its leading space ("" for none).
func joinClause(j string) string {
	if j == "" {
		return ""
	}
	return " " + j
}

// byKind orders checks by kind, in report order, keeping their order within a kind.
func byKind(cs []Check) []Check {
	var out []Check
	for _, k := range []string{Volumes, Uniqueness, NotNull, Values, Consistency, Lineage} {
		for _, c := range cs {
			if c.Kind == k {
				out = append(out, c)
			}
		}
	}
	return out
}

// volumeCheck compares the rows of an entity's table with what the journal says runs
// did: in all, the table holds as many rows as runs inserted (a replacement by reprise
// -update neither adds nor removes one); run by run, no run owns more rows than it
// inserted or replaced, and every run that owns rows is in the journal. The table's
// rows are counted once, and grouped by run once (its run index serves).
func volumeCheck(e *domain.Entity) Check {
	t := q(e.Name)
	journal := "(SELECT run_id, SUM(inserted) AS ins, SUM(updated) AS upd FROM journal_files WHERE entity = '" + e.Name + "' GROUP BY run_id)"
	table := "(SELECT run_id, COUNT(*) AS n FROM " + t + " GROUP BY run_id)"
	return Check{Name: e.Name + " rows vs journal", Kind: Volumes, Table: e.Name,
		Description: "the rows of " + e.Name + " are those the journal says runs inserted, nothing lost, nothing unexplained",
		Query: "SELECT CONCAT('all runs: journal ', j.ins, ', table ', t.n) AS k FROM (SELECT COALESCE(SUM(inserted), 0) AS ins FROM journal_files WHERE entity = '" +
			e.Name + "') j, (SELECT COUNT(*) AS n FROM " + t + ") t WHERE j.ins <> t.n" +
			" UNION ALL SELECT IF(j.run_id IS NULL, CONCAT(COALESCE(t.run_id, 'no run'), ': journal 0, table ', t.n), CONCAT(j.run_id, ': journal ', j.ins, '+', j.upd, ', table ', t.n))" +
			" FROM " + table + " t LEFT JOIN " + journal + " j ON j.run_id = t.run_id WHERE j.run_id IS NULL OR t.n > j.ins + j.upd"}
}

type table struct{ name, key string }

// keyExpr is the SQL of an entity's key, its columns joined by '/' when composite;
// alias ("c." or "") qualifies the columns.
func keyExpr(e *domain.Entity, alias string) string {
	if len(e.Key) == 1 {
		return alias + q(e.Key[0])
	}
	cols := make([]string, len(e.Key))
	for i, c := range e.Key {
		cols[i] = alias + q(c)
	}
	return "CONCAT_WS('/', " + strings.Join(cols, ", ") + ")"
}

// tables lists every table of d that holds business rows, with a key expression.
func tables(d *domain.Domain) []table {
	var ts []table
	for _, e := range d.Entities {
		ts = append(ts, table{e.Name, keyExpr(e, "c.")})
		for _, l := range e.Lists {
			ts = append(ts, table{l.Table, "CONCAT(c." + q(e.KeyColumn()) + ", '/', c." + q(l.ItemColumn) + ")"})
		}
	}
	return ts
}

// lineageTables are the tables whose rows record their run, file and line: those of
// tables, then the history tables.
func lineageTables(d *domain.Domain) []table {
	ts := tables(d)
	for _, e := range d.Entities {
		if e.History != "" {
			ts = append(ts, table{e.History, "CONCAT(" + keyExpr(e, "c.") + ", ' until ', c.valid_to)"})
		}
	}
	return ts
}

// Tables returns the names of the tables validate needs in a database of d.
func Tables(d *domain.Domain) []string {
	names := []string{"journal", "journal_files"}
	for _, t := range tables(d) {
		names = append(names, t.name)
	}
	return names
}
