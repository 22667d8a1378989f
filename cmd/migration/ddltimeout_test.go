package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/schema"
)

// TestSchemaStepHangs: a pending schema step whose ALTER TABLE cannot get its table
// (another session holds it in an open transaction: how a cluster-wide DDL that hangs
// looks to the run, simulated on one server) ends the run within its DDL time limit,
// exit 2, one line naming the step; once the other session is gone, the same command
// applies the step and loads.
func TestSchemaStepHangs(t *testing.T) {
	ctx := context.Background()
	dsn := mariadbtest.NewDatabase(t)
	db, err := mariadb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	steps, err := schema.Steps("clevity")
	if err != nil {
		t.Fatal(err)
	}
	var old []schema.Step
	for _, s := range steps {
		if s.Name < "0030" { // 0030_clevity_fingerprint alters clients
			old = append(old, s)
		}
	}
	if err := db.Upgrade(ctx, mariadb.SchemaState{Pending: old}); err != nil {
		t.Fatal(err)
	}
	if err := db.ClaimDomain(ctx, "clevity", "r0"); err != nil {
		t.Fatal(err)
	}
	// A plain pool beside the store's, to hold a table open as another client would.
	raw, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	holder, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	for _, q := range []string{"BEGIN", "SELECT COUNT(*) FROM clients"} {
		if _, err := holder.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	env := []string{"DMT_TEST_DDL_TIMEOUT=2s"}
	res := runProg(t, env, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", t.TempDir(), "testdata/small")
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	last := lines[len(lines)-1]
	if res.code != 2 || len(lines) != 1 || !strings.Contains(last, "schema step 0030_clevity_fingerprint stopped at statement 1 of 4") ||
		!strings.Contains(last, "no answer within 2s") {
		t.Errorf("exit %d, last line %q: want exit 2 and only one line, naming the step that timed out", res.code, last)
	}

	if _, err := holder.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	res = runProg(t, env, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", t.TempDir(), "testdata/small")
	if res.code > 1 {
		t.Fatalf("rerun once the table is free: exit %d: %s", res.code, res.stderr)
	}
	if err := db.CheckReadable(ctx, "clevity"); err != nil {
		t.Errorf("after the rerun: %v", err)
	}
}
