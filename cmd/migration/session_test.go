package main

import (
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestInitConnectAutocommitOff: a server whose init_connect turns autocommit off for
// accounts without SUPER (a DBA's setting) must not leave the journal "running" forever
// while the rows load: every session sets autocommit (with sql_mode and time_zone)
// itself. A private server: init_connect is server-wide.
func TestInitConnectAutocommitOff(t *testing.T) {
	t.Parallel()
	srv := mariadbtest.StartServer(t, "--init-connect=SET autocommit=0")
	dsn := mariadbtest.NewDatabaseOn(t, srv.DSN)
	account := mariadbtest.NewAccount(t, srv.DSN, dsn, "ALL")
	if res := migration(t, account, "-out", t.TempDir(), "testdata/small"); res.code > 1 {
		t.Fatalf("migration: exit %d: %s", res.code, res.stderr)
	}
	if res := runProg(t, nil, "validate", "-dsn", account, "-out", t.TempDir()); res.code > 1 {
		t.Fatalf("validate: exit %d: %s", res.code, res.stderr)
	}
	db := openDB(t, dsn) // root: SUPER, so without init_connect; sees what was committed
	if n := count(t, db, "SELECT COUNT(*) FROM clients"); n == 0 {
		t.Errorf("no client loaded")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM journal WHERE tool = 'migration' AND status IN ('ok', 'data_errors') AND ended_at IS NOT NULL"); n != 1 {
		t.Errorf("the migration run is not recorded as finished (%d rows)", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM journal WHERE tool = 'validate' AND ended_at IS NOT NULL"); n != 1 {
		t.Errorf("the validate run is not recorded as finished (%d rows)", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM run_lease WHERE released_at IS NULL"); n != 0 {
		t.Errorf("the run lease was left held")
	}
}
