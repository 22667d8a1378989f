package mariadb

import (
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/domain"
	"dmt/pkg/store"
)

// TestParseDSNNodeList: a DSN listing the nodes of a cluster parses (the driver alone
// reads "h1:1,h2:2" as one host), each node keeps its port (3306 when none is given),
// the session settings apply to all, and Describe names the nodes, not the password.
func TestParseDSNNodeList(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dsn, addr string
	}{
		{"bob:s3cret@tcp(127.0.0.1:4501,127.0.0.1:4502,127.0.0.1:4503)/clevity", "127.0.0.1:4501,127.0.0.1:4502,127.0.0.1:4503"},
		{"bob:s3cret@tcp(h1, h2:3307)/clevity?timeout=2s", "h1:3306,h2:3307"},
		{"bob:p@ss,w(o)rd/x@tcp([::1]:1,db2)/clevity", "[::1]:1,db2:3306"},
		{"bob:s3cret@tcp(db.example:3307)/clevity", "db.example:3307"},
	}
	for _, c := range cases {
		cfg, err := ParseDSN(c.dsn)
		if err != nil {
			t.Errorf("ParseDSN(%q): %v", c.dsn, err)
			continue
		}
		if cfg.Addr != c.addr || cfg.DBName != "clevity" || cfg.Params["sql_mode"] == "" {
			t.Errorf("ParseDSN(%q) = addr %q db %q, want addr %q db clevity with the session settings", c.dsn, cfg.Addr, cfg.DBName, c.addr)
		}
		if got, want := Describe(cfg), c.addr+"/clevity"; got != want {
			t.Errorf("Describe(%q) = %q, want %q", c.dsn, got, want)
		}
		if n := len(Nodes(cfg)); n != strings.Count(c.addr, ",")+1 {
			t.Errorf("Nodes(%q) gives %d nodes", c.dsn, n)
		}
	}
	for _, dsn := range []string{"bob:s3cret@tcp(h1,,h2)/clevity", "bob:s3cret@unix(/a,/b)/clevity"} {
		_, err := ParseDSN(dsn)
		if err == nil {
			t.Errorf("ParseDSN(%q) succeeded", dsn)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("ParseDSN(%q) error %q shows the password", dsn, err)
		}
	}
}

// TestRecoverGalera: what a Galera node answers in a view change, out of quorum or over
// its write-set limits is classified for a batch to wait and redo, or to be split.
func TestRecoverGalera(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want Recovery
	}{
		{&mysql.MySQLError{Number: 1180, Message: "Error while appending streaming replication fragment(provider status: Not connected to Primary Component)"}, LookUp},
		{&mysql.MySQLError{Number: 1047, Message: "WSREP has not yet prepared node for application use"}, LookUp},
		{&NoReadyNode{Reasons: []string{"127.0.0.1:1: connection refused"}}, LookUp},
		{&mysql.MySQLError{Number: 1180, Message: "wsrep_max_ws_rows exceeded"}, Split},
		{&mysql.MySQLError{Number: 1105, Message: "Maximum writeset size exceeded"}, Split},
		{&mysql.MySQLError{Number: 1180, Message: "Got error 28 \"No space left on device\" during COMMIT"}, Stop},
		{&mysql.MySQLError{Number: 1105, Message: "Unknown error"}, Stop},
	}
	for _, c := range cases {
		if got := Recover(c.err); got != c.want {
			t.Errorf("Recover(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	if IsRetryable(&mysql.MySQLError{Number: 1180, Message: "wsrep_max_ws_rows exceeded"}) {
		t.Errorf("IsRetryable(wsrep_max_ws_rows exceeded): the same transaction would fail again")
	}
}

// TestBatchFull: under Galera write-set limits a batch is full before it reaches them
// (its rows, header rows, list items and rejections counted), and never on a server
// without limits.
func TestBatchFull(t *testing.T) {
	t.Parallel()
	e := domain.Clevity().Entity("projets") // one list (sites)
	row := func(line int) store.Row {
		v := make([]string, len(e.Fields))
		for i := range v {
			v[i] = "x"
		}
		v[e.Index("sites")] = "Lyon|Paris"
		return store.Row{Line: line, Values: v}
	}
	fill := func(db *DB) int {
		b := &store.Batch{RunID: "r1", File: "projets.csv", Seq: 1, Entity: e}
		for n := 1; n <= 10000; n++ {
			b.Rows = append(b.Rows, row(n))
			if db.BatchFull(b) {
				return n
			}
		}
		return 0
	}
	// 3 rows written per projet (itself, two sites): full before 3/4 of 1,000 rows.
	limits := func(rows, bytes int64) *DB {
		db := &DB{}
		db.wsRows.Store(rows)
		db.wsBytes.Store(bytes)
		return db
	}
	if n := fill(limits(1000, 1<<31)); n == 0 || (n-1)*3+2 >= 750 || n*3+2 < 750 {
		t.Errorf("with wsrep_max_ws_rows 1000, the batch was full after %d rows, want about 250", n)
	}
	if n := fill(limits(0, 100000)); n == 0 || n > 400 {
		t.Errorf("with wsrep_max_ws_size 100000, the batch was full after %d rows", n)
	}
	if n := fill(&DB{}); n != 0 {
		t.Errorf("without limits, the batch was full after %d rows", n)
	}
	var none *DB
	if none.BatchFull(&store.Batch{Entity: e}) {
		t.Errorf("BatchFull without a database = true")
	}
}
