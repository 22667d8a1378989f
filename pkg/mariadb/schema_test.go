package mariadb_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/schema"
)

// readableSchema returns the readable whole of the named domain's database
// (schema_journal.sql and the domain's file), as the registry of pkg/domain names them.
func readableSchema(tb testing.TB, name string) string {
	tb.Helper()
	text, err := dmt.ReadableSchema(domain.ByName(name).SchemaFiles()...)
	if err != nil {
		tb.Fatal(err)
	}
	return text
}

// MustOpen opens a fresh test database with the clevity schema applied.
func MustOpen(tb testing.TB) *mariadb.DB {
	tb.Helper()
	return openPart(tb, partNamed(tb, "clevity"))
}

// schemaPart is one readable schema file and what the tests know of it: its tables in
// order, valid rows to start from, a valid new row per table, and the cases that break
// each of its constraints. The journal's file is one part, each registered domain's
// file another.
type schemaPart struct {
	name     string // "journal", or the domain's: what ApplySchema records
	file     string
	tables   []string
	baseline []baseRow
	fresh    map[string]row
	cases    []constraintCase
	// implied are the constraints no row can break alone, with the reason: a UNIQUE
	// that a primary key implies, kept as the target of a composite foreign key.
	implied map[string]string
}

// baseRow is a valid row a case starts from.
type baseRow struct {
	table string
	row   row
}

// schemaParts are the journal's part, then each registered domain's, in the registry's
// order; TestEveryConstraintHasACase fails when a registered domain has none.
var schemaParts = []schemaPart{
	{name: schema.JournalScope, file: domain.JournalSchemaFile, tables: journalTables,
		baseline: journalBaseline, fresh: journalFresh, cases: journalCases},
	{name: "clevity", file: "schema.sql", tables: clevityTables,
		baseline: clevityBaseline, fresh: clevityFresh, cases: clevityCases},
	{name: "distributech", file: "schema_distributech.sql", tables: distributechTables,
		baseline: distributechBaseline, fresh: distributechFresh, cases: distributechCases,
		implied: map[string]string{"uq_commandes_header": "PRIMARY KEY (numero_commande) implies it; it is the target of fk_lignes_commande_commande"}},
}

func partNamed(tb testing.TB, name string) schemaPart {
	tb.Helper()
	for _, p := range schemaParts {
		if p.name == name {
			return p
		}
	}
	tb.Fatalf("no schema part %q", name)
	return schemaPart{}
}

// files returns the readable files of the database that holds p: the journal's alone,
// or the journal's and a domain's.
func (p schemaPart) files() []string {
	if p.name == schema.JournalScope {
		return []string{domain.JournalSchemaFile}
	}
	return domain.ByName(p.name).SchemaFiles()
}

// text returns the readable whole of the database that holds p.
func (p schemaPart) text(tb testing.TB) string {
	tb.Helper()
	text, err := dmt.ReadableSchema(p.files()...)
	if err != nil {
		tb.Fatal(err)
	}
	return text
}

// ownText returns p's file alone.
func (p schemaPart) ownText(tb testing.TB) string {
	tb.Helper()
	text, err := dmt.ReadableSchema(p.file)
	if err != nil {
		tb.Fatal(err)
	}
	return text
}

// allTables returns the tables of the database that holds p, in their files' order.
func (p schemaPart) allTables() []string {
	if p.name == schema.JournalScope {
		return p.tables
	}
	return append(slices.Clone(journalTables), p.tables...)
}

// openPart opens a fresh test database built from the readable whole that holds p.
func openPart(tb testing.TB, p schemaPart) *mariadb.DB {
	tb.Helper()
	db, err := mariadb.Open(context.Background(), mariadbtest.NewDatabase(tb))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.ApplySchema(context.Background(), p.name, p.text(tb)); err != nil {
		tb.Fatalf("apply schema: %v", err)
	}
	return db
}

// The tables of each readable file, in their order there.
var (
	journalTables = []string{"journal", "journal_files", "journal_batches", "rejections", "schema_version", "database_domain",
		"run_lease", "validate_results", "corrections"}
	clevityTables      = []string{"clients", "intervenants", "projets", "projet_sites", "affectations"}
	distributechTables = []string{"regions", "revendeurs", "produits", "regions_historique", "revendeurs_historique",
		"produits_historique", "stock", "receptions", "commandes", "lignes_commande", "mouvements_stock"}
)

// declaredConstraints returns the names after CONSTRAINT in a schema text.
func declaredConstraints(text string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`(?i)\bCONSTRAINT\s+(\w+)`).FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	return names
}

// declaredViews returns the views a schema text creates.
func declaredViews(text string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`(?i)\bCREATE\s+OR\s+REPLACE\s+SQL\s+SECURITY\s+INVOKER\s+VIEW\s+(\w+)`).FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	return names
}

// TestSchemaText checks the rules every readable schema file follows, without a server.
func TestSchemaText(t *testing.T) {
	t.Parallel()
	for _, p := range schemaParts {
		t.Run(p.file, func(t *testing.T) {
			s := p.ownText(t)
			var tables []string
			for _, m := range regexp.MustCompile(`(?i)\bCREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?(\w+)`).FindAllStringSubmatch(s, -1) {
				if m[1] == "" {
					t.Errorf("CREATE TABLE %s without IF NOT EXISTS", m[2])
				}
				tables = append(tables, m[2])
			}
			if !slices.Equal(tables, p.tables) {
				t.Errorf("tables %v, want %v", tables, p.tables)
			}
			if n := strings.Count(s, ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;"); n != len(p.tables) {
				t.Errorf("%d tables end with ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin, want %d", n, len(p.tables))
			}
			if n := len(regexp.MustCompile(`(?im)^CREATE\b.*\bVIEW\b`).FindAllString(s, -1)); n != len(declaredViews(s)) {
				t.Errorf("%d views, %d of them CREATE OR REPLACE SQL SECURITY INVOKER VIEW", n, len(declaredViews(s)))
			}
			for _, word := range []string{"DROP ", "TRIGGER", "DELIMITER", "sites VARCHAR"} {
				if strings.Contains(strings.ToUpper(s), strings.ToUpper(word)) {
					t.Errorf("%s holds %q", p.file, word)
				}
			}
			for i, line := range strings.Split(s, "\n") {
				l := strings.TrimSpace(line)
				if strings.HasPrefix(l, "--") && (strings.Contains(l, ";") || !(l == "--" || strings.HasPrefix(l, "-- "))) {
					t.Errorf("line %d: comment lines start with '-- ' and hold no ';': %s", i+1, l)
				}
				if strings.Contains(l, "--") && !strings.HasPrefix(l, "--") {
					t.Errorf("line %d: comment after code: %s", i+1, l)
				}
			}
			for _, n := range declaredConstraints(s) {
				if !regexp.MustCompile(`^(ck|fk|uq)_[a-z_]+$`).MatchString(n) {
					t.Errorf("constraint %s is not named ck_/fk_/uq_<table>_<what>", n)
				}
			}
		})
	}
	// Names are unique across the files: a domain's database holds the journal's too.
	seen := map[string]string{}
	for _, p := range schemaParts {
		for _, n := range declaredConstraints(p.ownText(t)) {
			if other, dup := seen[n]; dup {
				t.Errorf("constraint %s declared twice (%s, %s)", n, other, p.file)
			}
			seen[n] = p.file
		}
	}
}

// schemaShape describes the tables, columns (with their AUTO_INCREMENT and the like),
// constraints, checks, indexes and foreign keys (their columns, targets and rules) of the
// current database.
func schemaShape(t *testing.T, db *mariadb.DB) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT CONCAT_WS(':', table_name, engine, table_collation) FROM information_schema.tables
			WHERE table_schema = DATABASE() ORDER BY 1`,
		`SELECT CONCAT_WS(':', table_name, column_name, column_type, is_nullable, IFNULL(column_default, 'NULL'), collation_name)
			FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`,
		`SELECT CONCAT_WS(':', table_name, constraint_name, constraint_type) FROM information_schema.table_constraints
			WHERE constraint_schema = DATABASE() ORDER BY 1`,
		`SELECT CONCAT_WS(':', constraint_name, check_clause) FROM information_schema.check_constraints
			WHERE constraint_schema = DATABASE() ORDER BY 1`,
		`SELECT CONCAT_WS(':', table_name, index_name, seq_in_index, column_name, non_unique) FROM information_schema.statistics
			WHERE table_schema = DATABASE() ORDER BY 1`,
		`SELECT CONCAT_WS(':', table_name, column_name, extra) FROM information_schema.columns
			WHERE table_schema = DATABASE() AND extra <> '' ORDER BY 1`,
		`SELECT CONCAT_WS(':', table_name, constraint_name, ordinal_position, column_name, referenced_table_name, referenced_column_name)
			FROM information_schema.key_column_usage WHERE table_schema = DATABASE() AND referenced_table_name IS NOT NULL ORDER BY 1`,
		`SELECT CONCAT_WS(':', table_name, constraint_name, update_rule, delete_rule) FROM information_schema.referential_constraints
			WHERE constraint_schema = DATABASE() ORDER BY 1`,
	} {
		var rows []string
		if err := db.Pool().Select(&rows, q); err != nil {
			t.Fatal(err)
		}
		out = append(out, rows...)
	}
	return strings.Join(out, "\n")
}

// TestApplySchemaTwice: each readable whole applies twice with no change, and is
// recorded once.
func TestApplySchemaTwice(t *testing.T) {
	t.Parallel()
	for _, p := range schemaParts {
		t.Run(p.name, func(t *testing.T) {
			db := openPart(t, p)
			before := schemaShape(t, db)
			for _, c := range declaredConstraints(p.ownText(t)) {
				if !strings.Contains(before, ":"+c+":") {
					t.Fatalf("schema lacks its constraint %s:\n%s", c, before)
				}
			}
			if err := db.ApplySchema(context.Background(), p.name, p.text(t)); err != nil {
				t.Fatalf("second apply: %v", err)
			}
			if after := schemaShape(t, db); after != before {
				t.Errorf("second apply changed the schema:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			var n int
			var name, sum string
			if err := db.Pool().QueryRow("SELECT COUNT(*), MAX(name), MAX(sha256) FROM schema_version").Scan(&n, &name, &sum); err != nil || n != 1 {
				t.Errorf("schema_version rows = %d, %v, want 1", n, err)
			}
			want := sha256.Sum256([]byte(p.text(t)))
			if name != p.name || sum != hex.EncodeToString(want[:]) {
				t.Errorf("schema_version = %s %s", name, sum)
			}
		})
	}
}

// TestSchemaInDatabase compares what MariaDB built from each readable whole with what
// the files say: the same tables, all InnoDB and utf8mb4_bin; the views, all SQL
// SECURITY INVOKER; exactly the named constraints (none left to the server to name); an
// index for every foreign key, holding its columns in the key's order; no foreign key from the lineage columns
// to the journal; lineage columns in every table of a domain and in none of the journal's.
func TestSchemaInDatabase(t *testing.T) {
	t.Parallel()
	for _, p := range schemaParts {
		t.Run(p.name, func(t *testing.T) {
			db := openPart(t, p)
			text := p.text(t)
			var tables []string
			if err := db.Pool().Select(&tables, `SELECT CONCAT_WS(':', table_name, engine, table_collation) FROM information_schema.tables
				WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'`); err != nil {
				t.Fatal(err)
			}
			slices.Sort(tables)
			var want []string
			for _, tb := range slices.Sorted(slices.Values(p.allTables())) {
				want = append(want, tb+":InnoDB:utf8mb4_bin")
			}
			if !slices.Equal(tables, want) {
				t.Errorf("tables %v, want %v", tables, want)
			}
			var views []string
			if err := db.Pool().Select(&views, `SELECT CONCAT_WS(':', table_name, security_type) FROM information_schema.views
				WHERE table_schema = DATABASE() ORDER BY 1`); err != nil {
				t.Fatal(err)
			}
			var wantViews []string
			for _, v := range slices.Sorted(slices.Values(declaredViews(text))) {
				wantViews = append(wantViews, v+":INVOKER")
			}
			if len(wantViews) == 0 || !slices.Equal(views, wantViews) {
				t.Errorf("views %v, want %v (SQL SECURITY INVOKER, so that any account can restore them)", views, wantViews)
			}
			var got []string
			if err := db.Pool().Select(&got, `SELECT constraint_name FROM information_schema.table_constraints
				WHERE constraint_schema = DATABASE() AND constraint_type <> 'PRIMARY KEY'`); err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if declared := slices.Sorted(slices.Values(declaredConstraints(text))); !slices.Equal(got, declared) {
				t.Errorf("constraints in the database %v, declared %v", got, declared)
			}
			var unindexed []string
			if err := db.Pool().Select(&unindexed, `SELECT CONCAT(k.table_name, '.', k.column_name) FROM information_schema.key_column_usage k
				WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL AND NOT EXISTS (
					SELECT 1 FROM information_schema.statistics s WHERE s.table_schema = k.table_schema
					AND s.table_name = k.table_name AND s.column_name = k.column_name AND s.seq_in_index = k.ordinal_position)`); err != nil {
				t.Fatal(err)
			}
			if len(unindexed) > 0 {
				t.Errorf("foreign key columns without an index that holds them at their place in the key: %v", unindexed)
			}
			var toJournal []string
			if err := db.Pool().Select(&toJournal, `SELECT DISTINCT table_name FROM information_schema.key_column_usage
				WHERE table_schema = DATABASE() AND referenced_table_name = 'journal'`); err != nil {
				t.Fatal(err)
			}
			slices.Sort(toJournal)
			if !slices.Equal(toJournal, []string{"journal_batches", "journal_files", "validate_results"}) {
				t.Errorf("tables with a foreign key to journal: %v, want only journal_batches, journal_files and validate_results", toJournal)
			}
			var lineage []string
			if err := db.Pool().Select(&lineage, `SELECT table_name FROM information_schema.columns WHERE table_schema = DATABASE()
				AND column_name IN ('run_id', 'source_file', 'source_line') AND table_name IN (
					SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE')
				GROUP BY table_name HAVING COUNT(*) = 3`); err != nil {
				t.Fatal(err)
			}
			slices.Sort(lineage)
			var wantLineage []string
			if p.name != schema.JournalScope {
				wantLineage = slices.Sorted(slices.Values(p.tables))
			}
			if !slices.Equal(lineage, wantLineage) {
				t.Errorf("tables with lineage columns (run_id, source_file, source_line): %v, want %v", lineage, wantLineage)
			}
		})
	}
}

// row is a row to insert: column → value (nil for NULL), sent as bound parameters.
type row map[string]any

// insertSQL builds the INSERT statement for r, columns in name order, with its args.
func insertSQL(table string, r row) (string, []any) {
	cols := slices.Sorted(maps.Keys(r))
	args := make([]any, len(cols))
	for i, c := range cols {
		args[i] = r[c]
		cols[i] = "`" + c + "`"
	}
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES (?" +
		strings.Repeat(", ?", len(cols)-1) + ")", args
}

func lineage(file string) row {
	return row{"run_id": "r1", "source_file": file, "source_line": 2}
}

func with(rows ...row) row {
	out := row{}
	for _, r := range rows {
		maps.Copy(out, r)
	}
	return out
}

// The valid rows each part's cases start from, in insertion order.
var (
	journalBaseline = []baseRow{
		{"journal", row{"run_id": "r1", "tool": "migration", "domain": "clevity", "started_at": "2024-01-01 10:00:00.000", "status": "ok"}},
		{"journal_files", row{"run_id": "r1", "file": "clients.csv", "entity": "clients"}},
		{"database_domain", row{"domain": "clevity", "recorded_at": "2024-01-01 00:00:00.000", "run_id": "r1"}},
		{"run_lease", row{"name": "load", "run_id": "r1", "tool": "migration", "host": "h", "pid": 1, "acquired_at": "2024-01-01 10:00:00.000",
			"renewed_at": "2024-01-01 10:00:20.000", "expires_at": "2024-01-01 10:01:20.000", "released_at": "2024-01-01 10:00:30.000"}},
		{"journal_batches", row{"run_id": "r1", "file": "clients.csv", "batch": 1, "first_line": 2, "last_line": 11,
			"read": 10, "inserted": 7, "rejected": 1, "ignored": 1, "updated": 1}},
		{"rejections", row{"id": 1, "run_id": "r1", "tool": "migration", "file": "clients.csv", "entity": "clients", "line": 3, "codes": "E1", "detail": "d", "raw": "x"}},
		{"validate_results", row{"run_id": "r1", "check_name": "clients.id_client unique", "kind": "uniqueness", "status": "PASS", "count": 0,
			"sample": "[]", "rule": "no two clients share their id_client", "error": nil}},
		{"corrections", row{"id": 1, "run_id": "r1", "tool": "reprise", "file": "projets.csv", "entity": "projets", "line": 3,
			"origin_file": nil, "origin_line": nil, "field": "statut", "before_value": "fini", "after_value": "termine", "rule": "enum"}},
	}
	clevityBaseline = []baseRow{
		{"clients", with(row{"id_client": 1, "nom": "Dupont SA", "secteur": nil, "email": "contact@dupont.fr",
			"telephone": nil, "ville": "Lyon", "date_creation": "2020-01-01"}, lineage("clients.csv"))},
		{"intervenants", with(row{"id_intervenant": 1, "nom": "Martin", "prenom": "Léa", "email": "lea@clevity.fr",
			"agence": "Lyon", "specialite": nil, "date_embauche": nil}, lineage("intervenants.csv"))},
		{"projets", with(row{"id_projet": 1, "id_client": 1, "titre": "Audit sécurité", "type_prestation": "audit",
			"statut": "termine", "date_debut": "2023-01-01", "date_fin": "2023-02-01", "budget": "100.00",
			"note_satisfaction": 4}, lineage("projets.csv"))},
		{"projet_sites", with(row{"id_projet": 1, "site": "Lyon"}, lineage("projets.csv"))},
		{"affectations", with(row{"id_affectation": 1, "id_projet": 1, "id_intervenant": 1, "role": "auditeur",
			"site": "Lyon", "date_debut": "2023-01-01", "date_fin": "2023-01-10", "jours": "2.5"}, lineage("affectations.csv"))},
	}
)

// Per table, a valid new row that the baseline accepts.
var (
	journalFresh = map[string]row{
		"journal":       {"run_id": "r2", "tool": "migration", "domain": "clevity", "started_at": "2024-01-02 10:00:00.000", "status": "running"},
		"journal_files": {"run_id": "r1", "file": "projets.csv", "entity": "projets"},
		"journal_batches": {"run_id": "r1", "file": "clients.csv", "batch": 2, "first_line": 0, "last_line": 11,
			"read": 0, "inserted": 0, "rejected": 0, "ignored": 0, "updated": 0},
		"rejections": {"run_id": "r1", "tool": "migration", "file": "clients.csv", "entity": "clients", "line": 4, "codes": "E1", "detail": "d", "raw": "x"},
		"validate_results": {"run_id": "r1", "check_name": "projets.statut values", "kind": "values", "status": "FAIL", "count": 2,
			"sample": `["12", "15"]`, "rule": "statut is one of planifie, en_cours, termine, annule", "error": nil},
		"corrections": {"run_id": "r1", "tool": "reprise", "file": "quarantaine_projets.csv", "entity": "projets", "line": 2,
			"origin_file": "projets.csv", "origin_line": 7, "field": "date_debut", "before_value": "03/25/2023", "after_value": "2023-03-25", "rule": "month_day_year"},
		"schema_version":  {"name": "other", "sha256": strings.Repeat("a", 64), "applied_at": "2024-01-01 00:00:00.000"},
		"database_domain": {"domain": "distributech", "recorded_at": "2024-01-02 00:00:00.000", "run_id": "r2"},
		"run_lease": {"name": "weekly", "run_id": "r2", "tool": "reprise", "host": "h", "pid": 2, "acquired_at": "2024-01-02 10:00:00.000",
			"renewed_at": "2024-01-02 10:00:00.000", "expires_at": "2024-01-02 10:01:00.000", "released_at": nil},
	}
	clevityFresh = map[string]row{
		"clients": with(row{"id_client": 2, "nom": "Durand SARL", "secteur": "Industrie", "email": "info@durand.fr",
			"telephone": "01 02 03 04 05", "ville": "Paris", "date_creation": "2021-05-01"}, lineage("clients.csv")),
		"intervenants": with(row{"id_intervenant": 2, "nom": "Bernard", "prenom": "Paul", "email": "paul.bernard@clevity.fr",
			"agence": "Paris", "specialite": "Réseau", "date_embauche": "2019-09-01"}, lineage("intervenants.csv")),
		"projets": with(row{"id_projet": 2, "id_client": 1, "titre": "Déploiement ERP", "type_prestation": "deploiement",
			"statut": "en_cours", "date_debut": "2024-01-01", "date_fin": nil, "budget": "1500.50",
			"note_satisfaction": nil}, lineage("projets.csv")),
		"projet_sites": with(row{"id_projet": 1, "site": "Paris"}, lineage("projets.csv")),
		"affectations": with(row{"id_affectation": 2, "id_projet": 1, "id_intervenant": 1, "role": "consultant",
			"site": nil, "date_debut": "2023-01-02", "date_fin": nil, "jours": "0.5"}, lineage("affectations.csv")),
	}
)

// constraintCase breaks one constraint: the row fresh[table] with the fix applied is
// valid; with bad applied on top it must be refused with the error code, and a message
// holding the constraint's name. So a case cannot pass without its constraint.
type constraintCase struct {
	name  string // constraint first, then a word about the case
	table string
	fix   row
	bad   row
	code  uint16 // 0: from the name
}

func (c constraintCase) constraint() string { return strings.Fields(c.name)[0] }

// expect is the error code and a piece of the message MariaDB refuses the case with.
func (c constraintCase) expect() ([]uint16, string) {
	name := c.constraint()
	switch {
	case strings.HasPrefix(name, "ck_"):
		return []uint16{4025, 3819}, name // MariaDB, MySQL
	case strings.HasPrefix(name, "fk_"):
		return []uint16{1452}, name
	case strings.HasPrefix(name, "uq_"):
		return []uint16{1062}, name
	case name == "PRIMARY":
		return []uint16{1062}, "PRIMARY"
	case name == "NOT_NULL":
		return []uint16{1048}, "Column '" + strings.Fields(c.name)[1] + "' cannot be null"
	}
	return []uint16{c.code}, ""
}

var journalCases = []constraintCase{
	{name: "PRIMARY journal", table: "journal", bad: row{"run_id": "r1"}},
	{name: "ck_journal_status", table: "journal", bad: row{"status": "done"}},
	{name: "ck_journal_status case", table: "journal", bad: row{"status": "OK"}},
	{name: "PRIMARY journal_files", table: "journal_files", bad: row{"file": "clients.csv"}},
	{name: "fk_journal_files_run_id", table: "journal_files", bad: row{"run_id": "nope"}},
	{name: "PRIMARY journal_batches", table: "journal_batches", bad: row{"batch": 1}},
	{name: "fk_journal_batches_run_id", table: "journal_batches", bad: row{"run_id": "nope"}},
	{name: "ck_journal_batches_batch", table: "journal_batches", bad: row{"batch": 0}},
	{name: "ck_journal_batches_balanced", table: "journal_batches", fix: row{"read": 4, "inserted": 1, "rejected": 1, "ignored": 1, "updated": 1},
		bad: row{"inserted": 2}},
	{name: "PRIMARY rejections", table: "rejections", bad: row{"id": 1}},
	{name: "PRIMARY validate_results", table: "validate_results", bad: row{"check_name": "clients.id_client unique"}},
	{name: "fk_validate_results_run_id", table: "validate_results", bad: row{"run_id": "nope"}},
	{name: "ck_validate_results_status", table: "validate_results", bad: row{"status": "OK"}},
	{name: "ck_validate_results_status case", table: "validate_results", bad: row{"status": "pass"}},
	{name: "ck_validate_results_count", table: "validate_results", fix: row{"count": 0}, bad: row{"count": -1}},
	{name: "ck_validate_results_sample", table: "validate_results", fix: row{"sample": nil}, bad: row{"sample": "12, 15"}},
	{name: "PRIMARY corrections", table: "corrections", bad: row{"id": 1}},
	{name: "PRIMARY schema_version", table: "schema_version", bad: row{"name": "journal", "sha256": journalSum()}},
	{name: "PRIMARY database_domain", table: "database_domain", bad: row{"domain": "clevity"}},
	{name: "PRIMARY run_lease", table: "run_lease", bad: row{"name": "load"}},
	{name: "ck_run_lease_expiry", table: "run_lease", bad: row{"expires_at": "2024-01-02 10:00:00.000"}},
}

var clevityCases = []constraintCase{
	{name: "PRIMARY clients", table: "clients", bad: row{"id_client": 1}},
	{name: "ck_clients_id", table: "clients", bad: row{"id_client": 0}},
	{name: "ck_clients_id negative", table: "clients", bad: row{"id_client": -3}},
	{name: "ck_clients_nom_filled empty", table: "clients", bad: row{"nom": ""}},
	{name: "ck_clients_nom_filled blank", table: "clients", bad: row{"nom": "   "}},
	{name: "ck_clients_nom_filled leading", table: "clients", bad: row{"nom": " Durand SARL"}},
	{name: "ck_clients_nom_filled trailing", table: "clients", bad: row{"nom": "Durand SARL "}},
	{name: "ck_clients_email_form upper", table: "clients", bad: row{"email": "Info@durand.fr"}},
	{name: "ck_clients_email_form leading", table: "clients", bad: row{"email": " info@durand.fr"}},
	{name: "ck_clients_email_form trailing", table: "clients", bad: row{"email": "info@durand.fr "}},
	{name: "ck_clients_email_form no_at", table: "clients", bad: row{"email": "info.durand.fr"}},
	{name: "ck_clients_email_form no_dot", table: "clients", bad: row{"email": "info@durand"}},
	{name: "ck_clients_email_form no_local", table: "clients", bad: row{"email": "@durand.fr"}},
	{name: "uq_clients_email", table: "clients", bad: row{"email": "contact@dupont.fr"}},
	{name: "TOO_LONG clients.nom", table: "clients", fix: row{"nom": strings.Repeat("a", 150)},
		bad: row{"nom": strings.Repeat("a", 151)}, code: 1406},
	{name: "TOO_LONG clients.email", table: "clients", fix: row{"email": strings.Repeat("a", 244) + "@durand.fr"},
		bad: row{"email": strings.Repeat("a", 245) + "@durand.fr"}, code: 1406},

	{name: "PRIMARY intervenants", table: "intervenants", bad: row{"id_intervenant": 1}},
	{name: "ck_intervenants_id", table: "intervenants", bad: row{"id_intervenant": -1}},
	{name: "ck_intervenants_nom_filled", table: "intervenants", bad: row{"nom": ""}},
	{name: "ck_intervenants_nom_filled trailing", table: "intervenants", bad: row{"nom": "Bernard "}},
	{name: "ck_intervenants_prenom_filled", table: "intervenants", bad: row{"prenom": ""}},
	{name: "ck_intervenants_prenom_filled leading", table: "intervenants", bad: row{"prenom": " Paul"}},
	{name: "ck_intervenants_agence_filled", table: "intervenants", bad: row{"agence": ""}},
	{name: "ck_intervenants_agence_filled trailing", table: "intervenants", bad: row{"agence": "Paris "}},
	{name: "ck_intervenants_email_form", table: "intervenants", bad: row{"email": "Paul.Bernard@clevity.fr"}},
	{name: "ck_intervenants_email_form trailing", table: "intervenants", bad: row{"email": "paul.bernard@clevity.fr "}},
	{name: "uq_intervenants_email", table: "intervenants", bad: row{"email": "lea@clevity.fr"}},

	{name: "PRIMARY projets", table: "projets", bad: row{"id_projet": 1}},
	{name: "fk_projets_id_client", table: "projets", bad: row{"id_client": 99}},
	{name: "ck_projets_id", table: "projets", bad: row{"id_projet": 0}},
	{name: "ck_projets_titre_filled", table: "projets", bad: row{"titre": ""}},
	{name: "ck_projets_titre_filled trailing", table: "projets", bad: row{"titre": "Déploiement ERP "}},
	{name: "ck_projets_type_prestation", table: "projets", bad: row{"type_prestation": "conseil"}},
	{name: "ck_projets_type_prestation case", table: "projets", bad: row{"type_prestation": "Deploiement"}},
	{name: "ck_projets_statut", table: "projets", bad: row{"statut": "fini"}},
	{name: "ck_projets_statut case", table: "projets", fix: row{"statut": "termine", "date_fin": "2024-02-01"},
		bad: row{"statut": "Termine"}},
	{name: "ck_projets_budget", table: "projets", fix: row{"budget": "0"}, bad: row{"budget": "-0.01"}},
	{name: "ck_projets_note_range high", table: "projets", fix: row{"statut": "termine", "date_fin": "2024-02-01", "note_satisfaction": 5},
		bad: row{"note_satisfaction": 6}},
	{name: "ck_projets_note_range low", table: "projets", fix: row{"statut": "termine", "date_fin": "2024-02-01", "note_satisfaction": 1},
		bad: row{"note_satisfaction": 0}},
	{name: "ck_projets_date_order", table: "projets", fix: row{"date_fin": "2024-01-01"}, bad: row{"date_fin": "2023-12-31"}},
	{name: "ck_projets_end_date_required", table: "projets", fix: row{"statut": "termine", "date_fin": "2024-03-01"},
		bad: row{"date_fin": nil}},
	{name: "ck_projets_satisfaction_allowed", table: "projets", bad: row{"note_satisfaction": 3}},
	{name: "ck_projets_satisfaction_allowed annule", table: "projets", fix: row{"statut": "annule"}, bad: row{"note_satisfaction": 2}},
	{name: "STRICT invalid_date", table: "projets", fix: row{"date_debut": "2024-02-29"}, bad: row{"date_debut": "2024-02-30"}, code: 1292},
	{name: "STRICT zero_date", table: "projets", bad: row{"date_debut": "0000-00-00"}, code: 1292},
	{name: "STRICT not_a_number", table: "projets", bad: row{"budget": "12,50"}, code: 1265},

	{name: "PRIMARY projet_sites", table: "projet_sites", bad: row{"site": "Lyon"}},
	{name: "fk_projet_sites_id_projet", table: "projet_sites", bad: row{"id_projet": 9}},
	{name: "ck_projet_sites_site_filled", table: "projet_sites", bad: row{"site": ""}},
	{name: "ck_projet_sites_site_filled trailing", table: "projet_sites", bad: row{"site": "Paris "}},

	{name: "PRIMARY affectations", table: "affectations", bad: row{"id_affectation": 1}},
	{name: "fk_affectations_id_projet", table: "affectations", bad: row{"id_projet": 7}},
	{name: "fk_affectations_id_intervenant", table: "affectations", bad: row{"id_intervenant": 7}},
	{name: "uq_affectations_key", table: "affectations", bad: row{"role": "auditeur", "date_debut": "2023-01-01"}},
	{name: "ck_affectations_id", table: "affectations", bad: row{"id_affectation": 0}},
	{name: "ck_affectations_role", table: "affectations", bad: row{"role": "stagiaire"}},
	{name: "ck_affectations_jours", table: "affectations", bad: row{"jours": "0"}},
	{name: "ck_affectations_jours negative", table: "affectations", bad: row{"jours": "-1.5"}},
	{name: "ck_affectations_date_order", table: "affectations", fix: row{"date_fin": "2023-01-02"}, bad: row{"date_fin": "2023-01-01"}},
}

// journalSum is the SHA-256 that ApplySchema records for the journal's file alone.
func journalSum() string {
	text, err := dmt.ReadableSchema(domain.JournalSchemaFile)
	if err != nil {
		panic(err)
	}
	s := sha256.Sum256([]byte(text))
	return hex.EncodeToString(s[:])
}

// notNullCases adds a case per NOT NULL column (but AUTO_INCREMENT ones) of p's tables.
func notNullCases(t *testing.T, db *mariadb.DB, p schemaPart) []constraintCase {
	var cols []struct {
		Table  string `db:"table_name"`
		Column string `db:"column_name"`
	}
	if err := db.Pool().Select(&cols, `SELECT c.table_name AS table_name, c.column_name AS column_name FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = DATABASE() AND c.is_nullable = 'NO' AND c.extra NOT LIKE '%auto_increment%'
		ORDER BY c.table_name, c.ordinal_position`); err != nil {
		t.Fatal(err)
	}
	var cases []constraintCase
	for _, c := range cols {
		if !slices.Contains(p.tables, c.Table) {
			continue
		}
		if _, ok := p.fresh[c.Table]; !ok {
			t.Errorf("no fresh row for table %s", c.Table)
			continue
		}
		cases = append(cases, constraintCase{name: "NOT_NULL " + c.Column + " " + c.Table, table: c.Table, bad: row{c.Column: nil}})
	}
	if len(cases) < 2*len(p.tables) {
		t.Errorf("only %d NOT NULL columns in %d tables", len(cases), len(p.tables))
	}
	return cases
}

// TestConstraintsRefuseViolations checks each constraint of each readable schema file,
// each NOT NULL column and each primary key with plain SQL and bound parameters: from
// the part's baseline, the violating row is refused for that reason and the same row
// made valid is accepted.
func TestConstraintsRefuseViolations(t *testing.T) {
	t.Parallel()
	for _, p := range schemaParts {
		t.Run(p.name, func(t *testing.T) {
			db := openPart(t, p)
			cases := append(slices.Clone(p.cases), notNullCases(t, db, p)...)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { refuses(t, db, p, c) })
			}
		})
	}
}

// refuses runs one case in a transaction that it rolls back.
func refuses(t *testing.T, db *mariadb.DB, p schemaPart, c constraintCase) {
	ctx := context.Background()
	tx, err := db.Pool().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, b := range p.baseline {
		q, args := insertSQL(b.table, b.row)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("baseline %s: %v", b.table, err)
		}
	}
	base, ok := p.fresh[c.table]
	if !ok {
		t.Fatalf("no fresh row for %s", c.table)
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT s"); err != nil {
		t.Fatal(err)
	}
	q, args := insertSQL(c.table, with(base, c.fix, c.bad))
	_, err = tx.ExecContext(ctx, q, args...)
	codes, text := c.expect()
	var me *mysql.MySQLError
	switch {
	case err == nil:
		t.Errorf("MariaDB accepted %s %v", q, args)
	case !errors.As(err, &me) || !slices.Contains(codes, me.Number) || !strings.Contains(me.Message, text):
		t.Errorf("refused for another reason: %v (want error %v with %q)", err, codes, text)
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT s"); err != nil {
		t.Fatal(err)
	}
	q, args = insertSQL(c.table, with(base, c.fix))
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		t.Errorf("MariaDB refused the valid row %v: %v", args, err)
	}
}

// TestEveryConstraintHasACase fails when a readable schema file names a constraint that
// no case of TestConstraintsRefuseViolations breaks (but those no row can break alone,
// each with its reason), when a case names a constraint its file lacks, when a table's
// primary key has no case, or when the journal's file or a registered domain's has no
// part here.
func TestEveryConstraintHasACase(t *testing.T) {
	t.Parallel()
	var files []string
	for _, p := range schemaParts {
		files = append(files, p.file)
		if p.name != schema.JournalScope && domain.ByName(p.name).SchemaFile != p.file {
			t.Errorf("part %s: file %s, but the registry names %s", p.name, p.file, domain.ByName(p.name).SchemaFile)
		}
	}
	want := []string{domain.JournalSchemaFile}
	for _, name := range domain.Names() {
		want = append(want, domain.ByName(name).SchemaFile)
	}
	if !slices.Equal(files, want) {
		t.Errorf("schema parts %v, want the journal's and every registered domain's: %v", files, want)
	}
	for _, p := range schemaParts {
		t.Run(p.name, func(t *testing.T) {
			tested := map[string]bool{}
			for _, c := range p.cases {
				tested[c.constraint()] = true
				if c.constraint() == "PRIMARY" {
					tested["PRIMARY "+c.table] = true
				}
			}
			declared := declaredConstraints(p.ownText(t))
			if len(declared) < len(p.tables) {
				t.Fatalf("found only %d constraints in %s", len(declared), p.file)
			}
			for _, name := range declared {
				if !tested[name] && p.implied[name] == "" {
					t.Errorf("constraint %s has no case", name)
				}
				if tested[name] && p.implied[name] != "" {
					t.Errorf("constraint %s has a case and is said to be implied", name)
				}
			}
			for name := range p.implied {
				if !slices.Contains(declared, name) {
					t.Errorf("%s is said to be implied, but %s does not declare it", name, p.file)
				}
			}
			for name := range tested {
				if regexp.MustCompile(`^(ck|fk|uq)_`).MatchString(name) && !slices.Contains(declared, name) {
					t.Errorf("case for %s, which %s does not declare", name, p.file)
				}
			}
			for _, table := range p.tables {
				if !tested["PRIMARY "+table] {
					t.Errorf("primary key of %s has no case", table)
				}
				if _, ok := p.fresh[table]; !ok {
					t.Errorf("no fresh row for %s", table)
				}
			}
		})
	}
}
