package mariadb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dmt/pkg/mariadb"
	"dmt/pkg/schema"
)

// upToStep brings db to the clevity schema up to step last (included) and records the
// domain, as an older release of the programs left it.
func upToStep(t *testing.T, db *mariadb.DB, last string) []schema.Step {
	t.Helper()
	steps, err := schema.Steps("clevity")
	if err != nil {
		t.Fatal(err)
	}
	var old []schema.Step
	for _, s := range steps {
		if s.Name <= last {
			old = append(old, s)
		}
	}
	if len(old) == len(steps) || len(old) == 0 {
		t.Fatalf("step %s leaves %d of %d steps pending", last, len(steps)-len(old), len(steps))
	}
	ctx := context.Background()
	if err := db.Upgrade(ctx, mariadb.SchemaState{Pending: old}); err != nil {
		t.Fatal(err)
	}
	if err := db.ClaimDomain(ctx, "clevity", "r0"); err != nil {
		t.Fatal(err)
	}
	return steps
}

// TestSchemaStepTimesOut: a schema step whose ALTER TABLE waits for a table another
// session holds (an open transaction that read it: the hang of a cluster-wide DDL,
// simulated on one server) stops within the DDL time limit with one line naming the
// step, the statement and the cause; the step is not recorded, and once the other
// session is gone, Migrate applies it. The session's limits stay in it: the pool's
// other connections do not inherit them.
func TestSchemaStepTimesOut(t *testing.T) {
	ctx := context.Background()
	db := openEmpty(t)
	upToStep(t, db, "0020_journal_rejections_latest") // 0030 alters clients

	holder, err := db.Pool().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, "SELECT COUNT(*) FROM clients"); err != nil {
		t.Fatal(err)
	}

	db.DDLTimeout = 2 * time.Second
	start := time.Now()
	err = db.Migrate(ctx, "clevity", "r1")
	took := time.Since(start)
	if err == nil {
		t.Fatal("Migrate with clients held by another session succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"schema step 0030_clevity_fingerprint stopped at statement 1 of 4 (ALTER TABLE clients", "no answer within 2s", "safe to run again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error on several lines: %q", msg)
	}
	if took > 10*time.Second {
		t.Errorf("Migrate took %s with a 2 s limit", took.Round(time.Millisecond))
	}
	var n int
	if err := db.Pool().Get(&n, "SELECT COUNT(*) FROM schema_version WHERE name = '0030_clevity_fingerprint'"); err != nil || n != 0 {
		t.Errorf("the timed-out step is recorded (%d, %v)", n, err)
	}

	t.Logf("with clients held: %s", msg)
	if _, err := holder.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	holder.Close()
	// One connection in the pool: were the DDL session put back, the next query would
	// get it.
	db.Pool().SetMaxOpenConns(1)
	if err := db.Migrate(ctx, "clevity", "r1"); err != nil {
		t.Fatalf("Migrate once the table is free: %v", err)
	}
	if err := db.CheckReadable(ctx, "clevity"); err != nil {
		t.Errorf("after Migrate: %v", err)
	}
	for k := 0; k < 3; k++ {
		var limit float64
		var wait int
		if err := db.Pool().QueryRowContext(ctx, "SELECT @@session.max_statement_time, @@session.lock_wait_timeout").Scan(&limit, &wait); err != nil {
			t.Fatal(err)
		}
		if limit != 0 || wait == 2 {
			t.Errorf("a pool connection has max_statement_time %v, lock_wait_timeout %d: the DDL session's limits leaked", limit, wait)
		}
	}
}
