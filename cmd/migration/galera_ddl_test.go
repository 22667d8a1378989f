package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/schema"
)

// beforeFingerprint brings the cluster database dsn to the clevity schema before step
// 0030_clevity_fingerprint (which alters clients), as an older release left it.
func beforeFingerprint(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
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
		if s.Name < "0030" {
			old = append(old, s)
		}
	}
	if err := db.Upgrade(ctx, mariadb.SchemaState{Pending: old}); err != nil {
		t.Fatal(err)
	}
	if err := db.ClaimDomain(ctx, "clevity", "r0"); err != nil {
		t.Fatal(err)
	}
}

// stepApplied reports on every node whether step 0030 is recorded, reading causally.
func stepApplied(t *testing.T, c *mariadbtest.Cluster, dsn string) [3]int {
	t.Helper()
	var n [3]int
	for i := range n {
		n[i] = count(t, openDB(t, mariadbtest.Causal(c.OnNode(dsn, i+1))), "SELECT COUNT(*) FROM schema_version WHERE name = '0030_clevity_fingerprint'")
	}
	return n
}

// TestGaleraSchemaStepHangs: on a cluster, a schema step whose ALTER TABLE cannot get
// its table on the run's node (another session holds it with LOCK TABLES there: the
// statement waits before the cluster orders it) ends the run within its DDL time
// limit, exit 2, one line naming the step; no node records the step, and once the table
// is released the same command applies it and loads. A transaction that merely read the
// table, on another node, does not hold a step up: the cluster's schema change aborts it
// (Error 1213 at its next statement) and the run goes on.
func TestGaleraSchemaStepHangs(t *testing.T) {
	c := mariadbtest.Galera(t)
	ctx := context.Background()
	env := []string{"DMT_TEST_DDL_TIMEOUT=2s"}

	dsn := c.NewDatabase(t)
	beforeFingerprint(t, dsn)
	holder := mariadbtest.HoldOn(t, c.OnNode(dsn, 1), "LOCK TABLES clients READ")
	start := time.Now()
	res := runProg(t, env, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", t.TempDir(), "testdata/small")
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("the run with clients locked took %s with a 2 s limit", took.Round(time.Millisecond))
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	last := lines[len(lines)-1]
	if res.code != 2 || len(lines) != 1 || !strings.Contains(last, "schema step 0030_clevity_fingerprint stopped at statement 1 of 4") ||
		!strings.Contains(last, "no answer within 2s") {
		t.Errorf("exit %d, stderr %q: want exit 2 and one line naming the step that timed out", res.code, res.stderr)
	}
	if n := stepApplied(t, c, dsn); n != [3]int{} {
		t.Errorf("step 0030 recorded on nodes 1-3: %v after it timed out", n)
	}
	if _, err := holder.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
		t.Fatal(err)
	}
	res = runProg(t, env, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", t.TempDir(), "testdata/small")
	if res.code > 1 {
		t.Fatalf("rerun once the table is free: exit %d: %s", res.code, res.stderr)
	}
	if n := stepApplied(t, c, dsn); n != [3]int{1, 1, 1} {
		t.Errorf("step 0030 recorded on nodes 1-3: %v after the rerun, want it on each", n)
	}

	other := c.NewDatabase(t)
	beforeFingerprint(t, other)
	reader := mariadbtest.HoldOn(t, c.OnNode(other, 2), "BEGIN", "SELECT COUNT(*) FROM clients")
	res = runProg(t, env, "migration", "-dsn", other, "-today", "2026-11-15", "-out", t.TempDir(), "testdata/small")
	if res.code > 1 {
		t.Errorf("with a transaction on node 2 that read clients: exit %d: %s", res.code, res.stderr)
	}
	var me *mysql.MySQLError
	if _, err := reader.ExecContext(ctx, "SELECT COUNT(*) FROM clients"); !errors.As(err, &me) || me.Number != 1213 {
		t.Errorf("the transaction on node 2 after the schema change: %v, want Error 1213 (aborted by the cluster)", err)
	}
}
