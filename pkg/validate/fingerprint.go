package validate

import (
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/schema"
)

// printed is a table whose rows carry a fingerprint: from is its FROM clause (the table
// as c, joined to what the fingerprint covers beyond its own columns), key the SQL of a
// row's key, sha the SQL that recomputes the fingerprint (see domain.Fingerprint).
type printed struct {
	name, from, key, sha string
}

// fingerprinted lists the tables of d whose rows carry a fingerprint: every entity's
// (a list's items count in their entity's), the headers derived from an entity's rows
// (commandes) and the tables its AfterLoad SQL writes (mouvements_stock).
func fingerprinted(d *domain.Domain) []printed {
	var ps []printed
	for _, e := range d.Entities {
		from := q(e.Name) + " c"
		lists := map[string]string{}
		for i, l := range e.Lists {
			alias := "l" + string(rune('0'+i))
			from += " LEFT JOIN " + e.ListItemsSQL(l) + " " + alias + " ON " + alias + "." + q(e.KeyColumn()) + " = c." + q(e.KeyColumn())
			lists[l.Column] = alias + ".items"
		}
		sha := e.FingerprintSQL(func(col string) string {
			if x, ok := lists[col]; ok {
				return x
			}
			return "c." + q(col)
		})
		ps = append(ps, printed{name: e.Name, from: from, key: keyExpr(e, "c."), sha: sha})
		for _, h := range e.Headers {
			ps = append(ps, printed{name: h.Table, from: q(h.Table) + " c", key: "c." + q(h.Columns[0]), sha: domain.FingerprintSQL(qualified(h.Columns))})
		}
	}
	for _, dt := range d.Derived {
		ps = append(ps, printed{name: dt.Table, from: q(dt.Table) + " c", key: "CONCAT_WS('/', " + strings.Join(qualified(dt.Key), ", ") + ")",
			sha: domain.FingerprintSQL(qualified(dt.Columns))})
	}
	return ps
}

func qualified(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "c." + q(c)
	}
	return out
}

// FingerprintStep is the name of the schema step that gave domain's tables their
// row_sha column ("" when it has none).
func FingerprintStep(domain string) string {
	steps, _ := schema.Steps(domain)
	for _, s := range steps {
		if s.Scope == domain && strings.HasSuffix(s.Name, "_fingerprint") {
			return s.Name
		}
	}
	return ""
}

// fingerprintChecks hold every fingerprinted row to its fingerprint and every source
// line to one row.
//
// A row whose fingerprint is not the one its values give was changed by other means
// than the toolkit (every load, and every replacement by reprise -update, writes a fresh
// one). A row without a fingerprint is one of two things: loaded before fingerprints
// existed (its run started before the schema step that added them was applied: a
// warning, since nothing can tell its values from the file's but -source), or written
// by hand since (a failure). The time compared is the journal's start of the row's run;
// a row of a run the journal does not know fails too.
//
// A line of a source file is loaded into one row of a table: two rows of a table that
// claim one run, file and line mean a row was added outside the toolkit (a copy that
// kept its model's lineage). The list rows of one line (a project's sites) belong to
// one entity row.
func fingerprintChecks(d *domain.Domain) []Check {
	col := q(domain.FingerprintColumn)
	since := "(SELECT MIN(applied_at) FROM schema_version WHERE name = '" + FingerprintStep(d.Name) + "')"
	// before: the row's run started before fingerprints existed (or the database
	// cannot tell: built from schema.sql without steps).
	before := "COALESCE(j.started_at < " + since + ", " + since + " IS NULL)"
	lineage := "c.run_id, c.source_file, c.source_line"
	where := "CONCAT(c.run_id, ' ', c.source_file, ':', c.source_line, ' (', "
	var cs []Check
	for _, p := range fingerprinted(d) {
		cs = append(cs, Check{Name: p.name + " rows changed outside the toolkit", Kind: Lineage,
			Description: "every row of " + p.name + " holds the values its fingerprint (row_sha, written when it was loaded) was computed from; " +
				"a row without one must come from a run older than fingerprints",
			Query: "SELECT CONCAT(" + p.key + ", IF(c." + col + " IS NULL, ' (no fingerprint)', '')) AS k FROM " + p.from +
				" LEFT JOIN journal j ON j.run_id = c.run_id WHERE (c." + col + " IS NULL AND NOT " + before + ") OR c." + col + " <> " + p.sha},
			Check{Name: p.name + " rows without fingerprint", Kind: Lineage, Warn: true,
				Description: "rows of " + p.name + " loaded before fingerprints existed: only validate -source can compare them with their files",
				Query:       "SELECT " + p.key + " AS k FROM " + q(p.name) + " c LEFT JOIN journal j ON j.run_id = c.run_id WHERE c." + col + " IS NULL AND " + before},
			Check{Name: p.name + " source lines claimed twice", Kind: Lineage,
				Description: "no two rows of " + p.name + " claim the same run, source file and line (keys listed)",
				Query: "SELECT " + where + "GROUP_CONCAT(" + p.key + " ORDER BY " + p.key + " SEPARATOR ', '), ')') AS k FROM " + q(p.name) + " c" +
					" GROUP BY " + lineage + " HAVING COUNT(*) > 1"})
	}
	for _, e := range d.Entities {
		for _, l := range e.Lists {
			key := "c." + q(e.KeyColumn())
			cs = append(cs, Check{Name: l.Table + " source lines claimed twice", Kind: Lineage,
				Description: "the rows of " + l.Table + " read from one line belong to one " + e.Name + " (keys listed)",
				Query: "SELECT " + where + "GROUP_CONCAT(DISTINCT " + key + " ORDER BY " + key + " SEPARATOR ', '), ')') AS k FROM " + q(l.Table) + " c" +
					" GROUP BY " + lineage + " HAVING COUNT(DISTINCT " + key + ") > 1"})
		}
	}
	return cs
}
