package mariadb_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/store"
)

// nodeList returns a DSN listing addrs as the nodes of a cluster, for the database and
// account of dsn.
func nodeList(t *testing.T, dsn string, addrs ...string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	account := cfg.User
	if cfg.Passwd != "" {
		account += ":" + cfg.Passwd
	}
	return account + "@tcp(" + strings.Join(addrs, ",") + ")/" + cfg.DBName
}

func proxyAddr(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Addr
}

// deadAddr is an address of 127.0.0.1 where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestOpenNodeList: a DSN listing nodes opens on the first one that answers, whatever
// the others do; with none answering, the error names each node and why, never the
// password.
func TestOpenNodeList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := mariadbtest.NewDatabase(t)
	cfg, _ := mysql.ParseDSN(dsn)
	dead := deadAddr(t)
	db, err := mariadb.Open(ctx, nodeList(t, dsn, dead, cfg.Addr))
	if err != nil {
		t.Fatalf("open a node list whose first node is down: %v", err)
	}
	defer db.Close()
	if err := db.ApplySchema(ctx, "clevity", readableSchema(t, "clevity")); err != nil {
		t.Fatalf("apply schema through the second node: %v", err)
	}
	if got, want := mariadb.Describe(db.Cfg), dead+","+cfg.Addr+"/"+cfg.DBName; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}

	user, password := mariadbtest.NewUser(t, dsn)
	_, err = mariadb.Open(ctx, nodeList(t, user, dead, deadAddr(t)))
	if err == nil {
		t.Fatal("open with no node up succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "no MariaDB node ready") || !strings.Contains(msg, dead+": ") ||
		strings.Contains(msg, password) || strings.Contains(msg, "\n") {
		t.Errorf("error %q, want one line naming each node and why, without the password", msg)
	}
}

// TestLoadBatchFailsOverToNextNode: two nodes (two proxies to the test server); the
// first one dies with a batch's COMMIT in flight, applied or not. The batch goes on
// through the second node, is written once (its marker looked up there), and every
// later write goes through the second node.
func TestLoadBatchFailsOverToNextNode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, how := range []mariadbtest.Cut{mariadbtest.AfterCommit, mariadbtest.BeforeCommit} {
		t.Run(how.String(), func(t *testing.T) {
			dsn := mariadbtest.NewDatabase(t)
			p1, dsn1 := mariadbtest.NewProxy(t, dsn)
			p2, dsn2 := mariadbtest.NewProxy(t, dsn)
			db, err := mariadb.Open(ctx, nodeList(t, dsn, proxyAddr(t, dsn1), proxyAddr(t, dsn2)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.ApplySchema(ctx, "clevity", readableSchema(t, "clevity")); err != nil {
				t.Fatal(err)
			}
			if err := db.StartRun(ctx, store.Run{ID: "r1", Tool: "migration", Domain: "clevity"}); err != nil {
				t.Fatal(err)
			}
			if err := db.AddFile(ctx, "r1", "clients.csv", "clients"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.LoadBatch(ctx, clientsBatch(1, 2, 50, 0)); err != nil {
				t.Fatalf("batch 1: %v", err)
			}
			if p1.Commits() == 0 || p2.Commits() != 0 {
				t.Fatalf("commits %d through node 1, %d through node 2: want all through node 1", p1.Commits(), p2.Commits())
			}
			p1.CutAt(1, how, true) // node 1 dies at the next COMMIT
			b := clientsBatch(2, 55, 100, 60)
			refused, err := db.LoadBatch(ctx, b)
			if err != nil {
				t.Fatalf("LoadBatch with node 1 dying at COMMIT (%s): %v", how, err)
			}
			if len(refused) != 1 || refused[0].Row.Line != 60 {
				t.Errorf("refused %+v, want line 60 only", refused)
			}
			if b.Recovered == "" {
				t.Errorf("Recovered is empty after a lost node")
			}
			before := p1.Commits()
			if _, err := db.LoadBatch(ctx, clientsBatch(3, 200, 10, 0)); err != nil {
				t.Fatalf("batch 3 after the failover: %v", err)
			}
			if p1.Commits() != before || p2.Commits() == 0 {
				t.Errorf("after the failover: %d more commits through the dead node 1, %d through node 2", p1.Commits()-before, p2.Commits())
			}
			want := "clients 159, rejections 6 + 1 DB_REFUSED, 3 batches; journal_files 169 159 7 3; journal_batches 169 159 7 3"
			if got := counts(t, db); got != want {
				t.Errorf("after the failover:\n got %s\nwant %s", got, want)
			}
		})
	}
}
