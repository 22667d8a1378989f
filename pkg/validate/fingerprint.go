package validate

import (
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/schema"
)

// printed is a table whose rows carry a fingerprint: key is the SQL of a row's key
// (alias c), sha the SQL that recomputes the fingerprint (see domain.Fingerprint).
type printed struct {
	name, key, sha string
}

// fingerprinted lists the tables of d whose rows carry a fingerprint: every entity's
// (a list's items count in their entity's, looked up row by row), the headers derived
// from an entity's rows (commandes) and the tables its AfterLoad SQL writes
// (mouvements_stock).
//
// Looking a project's sites up row by row is most of the server's time for the pass over
// projets (1.2 of 2.2 s at 250,000 projects), but it stays here. Its alternatives were
// measured and cost as much or more. A derived table of every list, LEFT JOINed, is
// materialized on disk because GROUP_CONCAT gives a blob (8 s). Recomputing in Go from
// two streams in key order, rows and sites merged, took the look-ups off the pass. But
// the two streams cost the server 0.45 s and the program 0.5-0.6 s of CPU, mostly the
// driver's parsing of the rows. The total was the same, and validate was no faster.
func fingerprinted(d *domain.Domain) []printed {
	var ps []printed
	for _, e := range d.Entities {
		lists := map[string]string{}
		for _, l := range e.Lists {
			lists[l.Column] = e.ListItemsOfSQL(l, "c."+q(e.KeyColumn()))
		}
		sha := e.FingerprintSQL(func(col string) string {
			if x, ok := lists[col]; ok {
				return x
			}
			return "c." + q(col)
		})
		ps = append(ps, printed{name: e.Name, key: keyExpr(e, "c."), sha: sha})
		for _, h := range e.Headers {
			ps = append(ps, printed{name: h.Table, key: "c." + q(h.Columns[0]), sha: domain.FingerprintSQL(qualified(h.Columns))})
		}
	}
	for _, dt := range d.Derived {
		ps = append(ps, printed{name: dt.Table, key: "CONCAT_WS('/', " + strings.Join(qualified(dt.Key), ", ") + ")",
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
// The stored fingerprint is compared with the recomputed one byte for byte (CAST AS
// BINARY): compared in row_sha's collation, the server would first convert each of the
// million SHA2 results to utf8mb4, a fifth of the check's time. For a CHAR column (no
// trailing spaces kept) and a SHA2 result (64 hex digits, no spaces), equal bytes and
// equal in utf8mb4_bin are one thing.
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
// one entity row. Both are counted by a query of their own, grouped along the table's
// lineage index (see lineageGroups).
func fingerprintChecks(d *domain.Domain) []Check {
	col := q(domain.FingerprintColumn)
	since := "(SELECT MIN(applied_at) FROM schema_version WHERE name = '" + FingerprintStep(d.Name) + "')"
	// before: the row's run started before fingerprints existed (or the database
	// cannot tell: built from schema.sql without steps). The journal is read only for
	// the rows without a fingerprint.
	before := "COALESCE((SELECT j.started_at FROM journal j WHERE j.run_id = c.run_id) < " + since + ", " + since + " IS NULL)"
	// Lineages are grouped byte for byte, as lineageHash hashes them: "f.csv " is
	// another file than "f.csv" (their PAD SPACE collation would make them one).
	lineage := "CAST(c.run_id AS BINARY), CAST(c.source_file AS BINARY), c.source_line"
	where := "CONCAT(MIN(c.run_id), ' ', MIN(c.source_file), ':', MIN(c.source_line), ' (', "
	var cs []Check
	for _, p := range fingerprinted(d) {
		pass := q(p.name) + " c"
		changed := "(c." + col + " IS NULL AND NOT " + before + ") OR CAST(c." + col + " AS BINARY) <> " + p.sha
		unprinted := "c." + col + " IS NULL AND " + before
		cs = append(cs, Check{Name: p.name + " rows changed outside the toolkit", Kind: Lineage, Table: p.name,
			Description: "every row of " + p.name + " holds the values its fingerprint (row_sha, written when it was loaded) was computed from; " +
				"a row without one must come from a run older than fingerprints",
			Query: "SELECT CONCAT(" + p.key + ", IF(c." + col + " IS NULL, ' (no fingerprint)', '')) AS k FROM " + q(p.name) + " c WHERE " + changed,
			Pass:  pass}.where(changed),
			Check{Name: p.name + " rows without fingerprint", Kind: Lineage, Warn: true, Table: p.name,
				Description: "rows of " + p.name + " loaded before fingerprints existed: only validate -source can compare them with their files",
				Query:       "SELECT " + p.key + " AS k FROM " + q(p.name) + " c WHERE " + unprinted,
				Pass:        pass}.where(unprinted),
			Check{Name: p.name + " source lines claimed twice", Kind: Lineage, Table: p.name,
				Description: "no two rows of " + p.name + " claim the same run, source file and line (keys listed)",
				Query: "SELECT " + where + "GROUP_CONCAT(" + p.key + " ORDER BY " + p.key + " SEPARATOR ', '), ')') AS k FROM " + q(p.name) + " c" +
					" GROUP BY " + lineage + " HAVING COUNT(*) > 1",
				Count: lineageGroups(p.name, "COUNT(*) > 1")})
	}
	for _, e := range d.Entities {
		for _, l := range e.Lists {
			key := "c." + q(e.KeyColumn())
			cs = append(cs, Check{Name: l.Table + " source lines claimed twice", Kind: Lineage, Table: l.Table,
				Description: "the rows of " + l.Table + " read from one line belong to one " + e.Name + " (keys listed)",
				Query: "SELECT " + where + "GROUP_CONCAT(DISTINCT " + key + " ORDER BY " + key + " SEPARATOR ', '), ')') AS k FROM " + q(l.Table) + " c" +
					" GROUP BY " + lineage + " HAVING COUNT(DISTINCT " + key + ") > 1",
				// The key is in the lineage index: the primary key's columns end every index.
				Count: lineageGroups(l.Table, "MIN("+key+") <> MAX("+key+")")})
		}
	}
	return cs
}

// lineageGroups counts the lineages (run, file, line) of table whose rows meet having,
// grouped as the table's lineage index (ix_<table>_lineage) orders them: the rows of a
// line come one after the other, and the groups are counted as they end, from the
// index alone, without a temporary table of them. At 1,000,000 affectations that is
// 0.2 s, where counting the distinct lineages in the pass over the table (a CRC-32 of run
// and file beside the line, then COUNT(DISTINCT)) added 0.35 s to it. The groups are
// those of the columns' collation, which may join two lineages that differ by trailing
// spaces, never part one: 0 proves that the check's own query, byte for byte, finds
// nothing.
func lineageGroups(table, having string) string {
	return "SELECT COUNT(*) FROM (SELECT 1 FROM " + q(table) + " c GROUP BY c.run_id, c.source_file, c.source_line HAVING " + having + ") x"
}
