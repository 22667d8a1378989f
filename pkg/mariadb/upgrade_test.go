package mariadb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"dmt"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/schema"
)

func openEmpty(t *testing.T) *mariadb.DB {
	t.Helper()
	db, err := mariadb.Open(context.Background(), mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// shapeWithViews is schemaShape plus the views' definitions.
func shapeWithViews(t *testing.T, db *mariadb.DB) string {
	var views []string
	q := "SELECT CONCAT_WS(':', table_name, REPLACE(view_definition, CONCAT('`', DATABASE(), '`.'), ''), security_type) " +
		"FROM information_schema.views WHERE table_schema = DATABASE() ORDER BY 1"
	if err := db.Pool().Select(&views, q); err != nil {
		t.Fatal(err)
	}
	return schemaShape(t, db) + "\n" + strings.Join(views, "\n")
}

// shapeDiff returns the lines of two shapes that differ, "" when they are the same:
// "- " for a line only the readable whole built, "+ " for one only the steps built.
func shapeDiff(whole, steps string) string {
	var out []string
	w, s := strings.Split(whole, "\n"), strings.Split(steps, "\n")
	for _, l := range w {
		if !slices.Contains(s, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range s {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	if len(out) == 0 && whole != steps {
		out = append(out, "(the same lines, in another order)")
	}
	return strings.Join(out, "\n")
}

// TestStepsBuildTheReadableSchema: the readable wholes are exactly what the ordered
// steps build: the journal's steps alone build schema_journal.sql, and each registered
// domain's steps (the journal's and its own) build schema_journal.sql followed by the
// domain's file. A new step without its place in the readable files, or the reverse,
// fails here.
func TestStepsBuildTheReadableSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run(schema.JournalScope, func(t *testing.T) {
		whole, steps := openEmpty(t), openEmpty(t)
		text, err := dmt.ReadableSchema(domain.JournalSchemaFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := whole.ApplySchema(ctx, schema.JournalScope, text); err != nil {
			t.Fatal(err)
		}
		st, err := steps.ReadSchemaState(ctx, schema.Scoped(schema.JournalScope))
		if err != nil {
			t.Fatal(err)
		}
		if err := steps.Upgrade(ctx, st); err != nil {
			t.Fatalf("Upgrade: %v", err)
		}
		if d := shapeDiff(shapeWithViews(t, whole), shapeWithViews(t, steps)); d != "" {
			t.Errorf("the journal steps do not build %s:\n%s", domain.JournalSchemaFile, d)
		}
	})
	for _, name := range domain.Names() {
		t.Run(name, func(t *testing.T) {
			whole, steps := openEmpty(t), openEmpty(t)
			if err := whole.ApplySchema(ctx, name, readableSchema(t, name)); err != nil {
				t.Fatal(err)
			}
			if err := steps.Migrate(ctx, name, "r1"); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if d := shapeDiff(shapeWithViews(t, whole), shapeWithViews(t, steps)); d != "" {
				t.Errorf("the steps do not build %v:\n%s", domain.ByName(name).SchemaFiles(), d)
			}
		})
	}
}

func TestMigrateRecordsStepsOnceAndTheDomain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	if err := db.Migrate(ctx, "clevity", "r1"); err != nil {
		t.Fatal(err)
	}
	steps, _ := schema.Steps("clevity")
	var names []string
	if err := db.Pool().Select(&names, "SELECT name FROM schema_version ORDER BY name"); err != nil {
		t.Fatal(err)
	}
	if len(names) != len(steps) || names[len(names)-1] != steps[len(steps)-1].Name {
		t.Errorf("schema_version = %v, want the %d clevity steps", names, len(steps))
	}
	if err := db.Migrate(ctx, "clevity", "r2"); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	var n int
	if err := db.Pool().Get(&n, "SELECT COUNT(*) FROM schema_version"); err != nil || n != len(steps) {
		t.Errorf("after a second Migrate, %d rows in schema_version (%v), want %d", n, err, len(steps))
	}
	var run string
	if err := db.Pool().Get(&run, "SELECT run_id FROM database_domain WHERE domain = 'clevity'"); err != nil || run != "r1" {
		t.Errorf("database_domain run = %q (%v), want the first run r1", run, err)
	}
	err := db.Migrate(ctx, "distributech", "r3")
	if err == nil || !strings.Contains(err.Error(), "is a clevity database, not distributech") {
		t.Errorf("Migrate(distributech) on a clevity database = %v, want a refusal", err)
	}
	if err := db.CheckReadable(ctx, "clevity"); err != nil {
		t.Errorf("CheckReadable on a current database: %v", err)
	}
}

// A database built before steps existed (schema.sql applied whole, recorded as
// "clevity") is upgraded by Migrate, which keeps its rows, and refused by read-only
// programs until then.
func TestLegacyDatabaseIsUpgraded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	steps, _ := schema.Steps("clevity")
	var first string
	for _, s := range steps[:2] { // the journal and clevity tables as first released
		first += s.SQL + "\n"
	}
	if err := db.ApplySchema(ctx, "clevity", first); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec(`INSERT INTO clients (id_client, nom, email, run_id, source_file, source_line)
		VALUES (1, 'Dupont SA', 'a@b.fr', 'old', 'clients.csv', 2)`); err != nil {
		t.Fatal(err)
	}
	err := db.CheckReadable(ctx, "clevity")
	if err == nil || !strings.Contains(err.Error(), "older (step none)") || !strings.Contains(err.Error(), steps[len(steps)-1].Name) {
		t.Errorf("CheckReadable on a legacy database = %v, want 'older' naming both versions", err)
	}
	if err := db.Migrate(ctx, "distributech", "r0"); err == nil {
		t.Errorf("a legacy clevity database accepted the distributech domain")
	}
	if err := db.Migrate(ctx, "clevity", "r1"); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if err := db.CheckReadable(ctx, "clevity"); err != nil {
		t.Errorf("after Migrate: %v", err)
	}
	var n int
	if err := db.Pool().Get(&n, "SELECT COUNT(*) FROM clients"); err != nil || n != 1 {
		t.Errorf("clients after the upgrade: %d (%v), want the 1 row kept", n, err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	if err := db.Migrate(ctx, "clevity", "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool().Exec("INSERT INTO schema_version (name, sha256, applied_at) VALUES ('9999_journal_future', REPEAT('a', 64), NOW())"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"CheckReadable": db.CheckReadable(ctx, "clevity"),
		"Migrate":       db.Migrate(ctx, "clevity", "r2"),
	} {
		if err == nil || !strings.Contains(err.Error(), "newer (step 9999_journal_future)") {
			t.Errorf("%s on a newer schema = %v, want a refusal naming both versions", name, err)
		}
	}
}

// A step stopped half-way names itself and the statement, and running it again once the
// cause is gone finishes it: its statements are safe to repeat.
func TestHalfAppliedStepIsFinishedByARerun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openEmpty(t)
	if err := db.Migrate(ctx, "clevity", "r1"); err != nil {
		t.Fatal(err)
	}
	step := schema.Step{Version: 9000, Scope: "journal", Name: "9000_journal_test",
		SQL: "CREATE TABLE IF NOT EXISTS t_extra (id INT NOT NULL PRIMARY KEY);\nALTER TABLE t_extra ADD COLUMN IF NOT EXISTS note VARCHAR(10) NULL REFERENCES nowhere (id);\n"}
	st := mariadb.SchemaState{Pending: []schema.Step{step}}
	err := db.Upgrade(ctx, st)
	if err == nil || !strings.Contains(err.Error(), "schema step 9000_journal_test stopped at statement 2 of 2") ||
		!strings.Contains(err.Error(), "safe to run again") {
		t.Fatalf("Upgrade of a failing step = %v", err)
	}
	var n int
	if err := db.Pool().Get(&n, "SELECT COUNT(*) FROM schema_version WHERE name = '9000_journal_test'"); err != nil || n != 0 {
		t.Errorf("a half-applied step was recorded (%d, %v)", n, err)
	}
	step.SQL = "CREATE TABLE IF NOT EXISTS t_extra (id INT NOT NULL PRIMARY KEY);\nALTER TABLE t_extra ADD COLUMN IF NOT EXISTS note VARCHAR(10) NULL;\n"
	if err := db.Upgrade(ctx, mariadb.SchemaState{Pending: []schema.Step{step}}); err != nil {
		t.Fatalf("rerun of the fixed step: %v", err)
	}
	if err := db.Pool().Get(&n, "SELECT COUNT(*) FROM schema_version WHERE name = '9000_journal_test'"); err != nil || n != 1 {
		t.Errorf("the finished step is recorded %d times (%v), want once", n, err)
	}
}
