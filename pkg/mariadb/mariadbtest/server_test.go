package mariadbtest

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// A server deletes every #sql* file of its tmpdir as it starts (the temporary tables a
// crash left behind). Servers sharing the system's /tmp then wipe out the temporary
// tables other servers are using, the shared test server's included: a query that
// needed one fails ("Error on delete of '/tmp/#sql-temptable-….MAI'", which made a
// validate check fail in TestFinalReport), or the server crashes. A server started
// while another holds a temporary table on disk must leave it alone.
func TestStartServerKeepsTemporaryTablesOfOthers(t *testing.T) {
	first := StartServer(t)
	db, err := sql.Open("mysql", first.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx) // a temporary table lives as long as its session
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var tmpdir string
	if err := conn.QueryRowContext(ctx, "SELECT @@tmpdir").Scan(&tmpdir); err != nil {
		t.Fatal(err)
	}
	if rel, err := filepath.Rel(first.Dir, tmpdir); err != nil || strings.HasPrefix(rel, "..") {
		t.Errorf("tmpdir %s is not in the server's folder %s: it shares it with other servers", tmpdir, first.Dir)
	}
	// Aria, so that it is a file in tmpdir, as the internal temporary tables of a
	// GROUP BY or a derived table with a GROUP_CONCAT are.
	for _, q := range []string{"CREATE DATABASE d", "CREATE TEMPORARY TABLE d.t (a INT, b TEXT) ENGINE=Aria", "INSERT INTO d.t VALUES (1, 'x')"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	StartServer(t)
	if _, err := conn.ExecContext(ctx, "DROP TEMPORARY TABLE d.t"); err != nil {
		t.Fatalf("the temporary table did not survive another server's start: %v", err)
	}
}
