// Package validate checks a whole database against its domain's rules after the fact,
// set-based: each check is one SQL query that returns the keys of the offending rows.
// The queries are built from the SQL forms that pkg/rules keeps beside the Go forms
// migration uses, so validate and migration cannot disagree; they do not rely on the
// database's own constraints, which may be missing.
package validate

import (
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
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

// Check is one rule over the whole database: the domain's type, which validate's own
// checks share.
type Check = domain.Check

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
		cs = append(cs, Check{Name: e.Name + "." + e.KeyName() + " unique", Kind: Uniqueness,
			Description: "no two " + e.Name + " share their " + e.KeyName(),
			Query:       "SELECT CONCAT(" + key + ", ' (', COUNT(*), ' rows)') AS k FROM " + t + " GROUP BY " + key + " HAVING COUNT(*) > 1"})
		for _, u := range e.Uniques {
			var norm, notNull []string
			for _, c := range u.Columns {
				norm = append(norm, "LOWER(TRIM("+q(c)+"))")
				notNull = append(notNull, q(c)+" IS NOT NULL")
			}
			desc := "no two " + e.Name + " share " + strings.Join(u.Columns, " + ") + " (case and spaces aside)"
			if u.Warn {
				desc = "possible duplicates: " + e.Name + " with the same " + strings.Join(u.Columns, " + ") + " under several ids"
			}
			cs = append(cs, Check{Name: e.Name + "." + strings.Join(u.Columns, "+") + " unique", Kind: Uniqueness, Warn: u.Warn,
				Description: desc,
				Query: "SELECT CONCAT_WS(' ', CONCAT_WS('|', " + strings.Join(norm, ", ") + "), CONCAT('(" + e.KeyName() + " ', GROUP_CONCAT(" + key +
					" ORDER BY " + key + "), ')')) AS k FROM " + t + " WHERE " + strings.Join(notNull, " AND ") +
					" GROUP BY " + strings.Join(norm, ", ") + " HAVING COUNT(*) > 1"})
		}
	}
	for _, e := range d.Entities {
		for i := range e.Fields {
			f := &e.Fields[i]
			for _, sc := range f.SQL("c."+q(f.Name), today) {
				kind := Values
				if sc.Code == rules.MissingRequired {
					kind = NotNull
				}
				desc := e.Name + "." + f.Name + " " + sc.Rule
				cs = append(cs, rowCheck(e, e.Name+"."+f.Name+" "+string(sc.Code), kind, desc, sc.Valid))
			}
		}
		for _, rr := range e.RowRules {
			cs = append(cs, rowCheck(e, e.Name+" "+rr.Name, Values, e.Name+": "+rr.Description, rr.SQL))
		}
	}
	for _, e := range d.Entities {
		for _, ref := range e.Refs {
			p := d.Entity(ref.Parent)
			cs = append(cs, Check{Name: e.Name + "." + ref.Column + " -> " + p.Name, Kind: Consistency,
				Description: "every " + ref.Column + " of " + e.Name + " exists in " + p.Name + " (each orphan row: its key, file and line, then the missing " + ref.Column + ")",
				Query: "SELECT CONCAT(" + keyExpr(e, "c.") + ", ' (', COALESCE(c.source_file, '?'), ':', COALESCE(c.source_line, '?'), '): " + ref.Column + " ', c." + q(ref.Column) +
					", ' missing') AS k FROM " + q(e.Name) + " c LEFT JOIN " + q(p.Name) + " p ON p." + q(p.KeyColumn()) +
					" = c." + q(ref.Column) + " WHERE c." + q(ref.Column) + " IS NOT NULL AND p." + q(p.KeyColumn()) + " IS NULL ORDER BY c.source_file, c.source_line"})
		}
		for _, l := range e.Lists {
			cs = append(cs, Check{Name: l.Table + "." + e.KeyColumn() + " -> " + e.Name, Kind: Consistency,
				Description: "every row of " + l.Table + " belongs to an existing " + e.Name,
				Query: "SELECT DISTINCT l." + q(e.KeyColumn()) + " AS k FROM " + q(l.Table) + " l LEFT JOIN " + q(e.Name) + " p ON p." + q(e.KeyColumn()) +
					" = l." + q(e.KeyColumn()) + " WHERE p." + q(e.KeyColumn()) + " IS NULL"})
		}
		for _, pc := range e.ParentRules {
			p := d.Entity(pc.Ref.Parent)
			cs = append(cs, Check{Name: e.Name + " " + pc.Rule.Name, Kind: Consistency,
				Description: e.Name + ": " + pc.Rule.Description,
				Query: "SELECT " + keyExpr(e, "c.") + " AS k FROM " + q(e.Name) + " c JOIN " + q(p.Name) + " p ON p." + q(p.KeyColumn()) + " = c." + q(pc.Ref.Column) +
					" WHERE NOT COALESCE((" + pc.Rule.SQL + "), FALSE)"})
		}
	}
	for _, dc := range d.Checks {
		if dc.Kind == "" {
			dc.Kind = Consistency
		}
		cs = append(cs, dc)
	}
	cs = append(cs, fingerprintChecks(d)...)
	// The history tables' rows (the earlier values of reference rows) name the run that
	// replaced them and the line that brought the new values: held to the same lineage.
	lineage := tables(d)
	for _, e := range d.Entities {
		if e.History != "" {
			lineage = append(lineage, table{e.History, "CONCAT(" + keyExpr(e, "c.") + ", ' until ', c.valid_to)"})
		}
	}
	for _, t := range lineage {
		cs = append(cs, Check{Name: t.name + " lineage", Kind: Lineage,
			Description: "every row of " + t.name + " records its run, source file and line",
			Query: "SELECT " + t.key + " AS k FROM " + q(t.name) + " c WHERE c.run_id IS NULL OR c.run_id = '' OR c.source_file IS NULL" +
				" OR c.source_file = '' OR c.source_line IS NULL OR c.source_line < 1"},
			Check{Name: t.name + " runs in journal", Kind: Lineage,
				Description: "the run that loaded each row of " + t.name + " is in the journal",
				Query: "SELECT DISTINCT c.run_id AS k FROM " + q(t.name) + " c LEFT JOIN journal j ON j.run_id = c.run_id" +
					" WHERE c.run_id IS NOT NULL AND c.run_id <> '' AND j.run_id IS NULL"})
	}
	return byKind(cs)
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
// inserted or replaced, and every run that owns rows is in the journal.
func volumeCheck(e *domain.Entity) Check {
	t := q(e.Name)
	journal := "(SELECT run_id, SUM(inserted) AS ins, SUM(updated) AS upd FROM journal_files WHERE entity = '" + e.Name + "' GROUP BY run_id)"
	table := "(SELECT run_id, COUNT(*) AS n FROM " + t + " GROUP BY run_id)"
	return Check{Name: e.Name + " rows vs journal", Kind: Volumes,
		Description: "the rows of " + e.Name + " are those the journal says runs inserted, nothing lost, nothing unexplained",
		Query: "SELECT CONCAT('all runs: journal ', COALESCE(SUM(inserted), 0), ', table ', (SELECT COUNT(*) FROM " + t + ")) AS k" +
			" FROM journal_files WHERE entity = '" + e.Name + "' HAVING COALESCE(SUM(inserted), 0) <> (SELECT COUNT(*) FROM " + t + ")" +
			" UNION ALL SELECT CONCAT(j.run_id, ': journal ', j.ins, '+', j.upd, ', table ', t.n) FROM " + journal + " j JOIN " +
			table + " t ON t.run_id = j.run_id WHERE t.n > j.ins + j.upd" +
			" UNION ALL SELECT CONCAT(COALESCE(t.run_id, 'no run'), ': journal 0, table ', t.n) FROM " + table + " t LEFT JOIN " + journal +
			" j ON j.run_id = t.run_id WHERE j.run_id IS NULL"}
}

// rowCheck selects the keys of e's rows (alias c) where valid does not hold.
func rowCheck(e *domain.Entity, name, kind, desc, valid string) Check {
	return Check{Name: name, Kind: kind, Description: desc,
		Query: "SELECT " + keyExpr(e, "c.") + " AS k FROM " + q(e.Name) + " c WHERE NOT COALESCE((" + valid + "), FALSE)"}
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

// Tables returns the names of the tables validate needs in a database of d.
func Tables(d *domain.Domain) []string {
	names := []string{"journal", "journal_files"}
	for _, t := range tables(d) {
		names = append(names, t.name)
	}
	return names
}
