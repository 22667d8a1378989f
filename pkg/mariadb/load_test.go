package mariadb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/store"
)

// openThrough opens a fresh test database through a proxy that can cut connections at
// COMMIT, with the clevity schema and a run reading clients.csv in the journal.
func openThrough(t *testing.T) (*mariadb.DB, *mariadbtest.Proxy) {
	t.Helper()
	ctx := context.Background()
	proxy, dsn := mariadbtest.NewProxy(t, mariadbtest.NewDatabase(t))
	db, err := mariadb.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.ApplySchema(ctx, "clevity", readableSchema(t, "clevity")); err != nil {
		t.Fatalf("apply schema: %v", err)
	}
	if err := db.StartRun(ctx, store.Run{ID: "r1", Tool: "migration", Domain: "clevity"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddFile(ctx, "r1", "clients.csv", "clients"); err != nil {
		t.Fatal(err)
	}
	return db, proxy
}

// clientsBatch is batch seq of clients.csv: n accepted clients from line first, one of
// them (line badLine, 0 for none) with an e-mail the database refuses
// (ck_clients_email_form), then two rows the checks rejected and one they ignored.
func clientsBatch(seq, first, n, badLine int) *store.Batch {
	b := &store.Batch{RunID: "r1", Tool: "migration", File: "clients.csv", Seq: seq, Entity: domain.Clevity().Entity("clients")}
	line := first
	for k := 0; k < n; k++ {
		id := line
		email := fmt.Sprintf("client%d@example.fr", id)
		if line == badLine {
			email = strings.ToUpper(email)
		}
		b.Rows = append(b.Rows, store.Row{Line: line, Values: []string{fmt.Sprint(id), fmt.Sprintf("Client %d", id), "", email, "", "Lyon", "2020-01-01"}})
		line++
	}
	for k := 0; k < 2; k++ {
		b.Rejections = append(b.Rejections, store.Rejection{Line: line, Codes: "BAD_EMAIL", Detail: "d", Raw: "x"})
		line++
	}
	line++ // the ignored row
	b.Progress = store.Progress{First: first, Line: line - 1, Read: n + 3, Inserted: n, Rejected: 2, Ignored: 1}
	return b
}

// counts is what the database holds for run r1: clients, rejections by kind, and the
// journal_files and journal_batches counts.
func counts(t *testing.T, db *mariadb.DB) string {
	t.Helper()
	var clients, rejected, refused, batches int
	var jf, jb string
	for _, q := range []struct {
		dst  any
		text string
	}{
		{&clients, "SELECT COUNT(*) FROM clients"},
		{&rejected, "SELECT COUNT(*) FROM rejections WHERE codes <> 'DB_REFUSED'"},
		{&refused, "SELECT COUNT(*) FROM rejections WHERE codes = 'DB_REFUSED'"},
		{&batches, "SELECT COUNT(*) FROM journal_batches"},
		{&jf, "SELECT CONCAT_WS(' ', `read`, inserted, rejected, ignored) FROM journal_files WHERE run_id = 'r1'"},
		{&jb, "SELECT CONCAT_WS(' ', SUM(`read`), SUM(inserted), SUM(rejected), SUM(ignored)) FROM journal_batches WHERE run_id = 'r1'"},
	} {
		if err := db.Pool().Get(q.dst, q.text); err != nil {
			t.Fatalf("%s: %v", q.text, err)
		}
	}
	return fmt.Sprintf("clients %d, rejections %d + %d DB_REFUSED, %d batches; journal_files %s; journal_batches %s",
		clients, rejected, refused, batches, jf, jb)
}

// TestLoadBatchConnectionCutAtCommit breaks the loader's connection at COMMIT, after the
// server applied it and before; either way the batch is written once: no row refused as
// a duplicate of itself, no count added twice, and the row the database does refuse is
// reported once.
//
// A COMMIT the server never answers, applied or not, with the connection left open
// (a Galera cluster whose view change stalls holds every COMMIT so), ends the attempt
// after BatchWithin, and the batch is then looked up and written once the same way.
func TestLoadBatchConnectionCutAtCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, how := range []mariadbtest.Cut{mariadbtest.AfterCommit, mariadbtest.BeforeCommit, mariadbtest.HoldCommit, mariadbtest.HoldAnswer} {
		t.Run(how.String(), func(t *testing.T) {
			db, proxy := openThrough(t)
			db.BatchWithin = 2 * time.Second
			if _, err := db.LoadBatch(ctx, clientsBatch(1, 2, 50, 0)); err != nil {
				t.Fatalf("batch 1: %v", err)
			}
			proxy.CutAt(1, how, false)
			b := clientsBatch(2, 55, 100, 60)
			refused, err := db.LoadBatch(ctx, b)
			if err != nil {
				t.Fatalf("LoadBatch with its connection cut %s: %v", how, err)
			}
			if proxy.Cuts() != 1 {
				t.Fatalf("the proxy cut %d connections, want 1", proxy.Cuts())
			}
			if len(refused) != 1 || refused[0].Row.Line != 60 || !strings.Contains(refused[0].Message, "ck_clients_email_form") {
				t.Errorf("refused %+v, want line 60 only, refused by ck_clients_email_form", refused)
			}
			if b.Recovered == "" {
				t.Errorf("Recovered is empty after a lost connection")
			}
			held := how == mariadbtest.HoldCommit || how == mariadbtest.HoldAnswer
			if held && !strings.Contains(b.Recovered, "no answer from MariaDB within 2s") {
				t.Errorf("Recovered %q, want it to say the COMMIT got no answer within 2s", b.Recovered)
			}
			want := "clients 149, rejections 4 + 1 DB_REFUSED, 2 batches; journal_files 156 149 5 2; journal_batches 156 149 5 2"
			if got := counts(t, db); got != want {
				t.Errorf("after the cut:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestLoadBatchServerGone: when the connection cannot be regained, LoadBatch stops within
// ReconnectWithin with one line that says a rerun finishes the job, and a rerun of the
// batch (its row already committed by the cut COMMIT) is not written twice.
func TestLoadBatchServerGone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, proxy := openThrough(t)
	db.ReconnectWithin = time.Second
	proxy.CutAt(1, mariadbtest.AfterCommit, true)
	start := time.Now()
	_, err := db.LoadBatch(ctx, clientsBatch(1, 2, 20, 0))
	if err == nil {
		t.Fatal("LoadBatch succeeded with the server gone")
	}
	msg := err.Error()
	if !strings.Contains(msg, "clients.csv: batch 1 (lines 2-24) left unconfirmed") || !strings.Contains(msg, "run the same command again") || strings.Contains(msg, "\n") {
		t.Errorf("error %q, want one line naming the batch and saying to run the same command again", msg)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("gave up after %s, want about ReconnectWithin (1 s)", d)
	}
}

// TestLoadBatchFindsAnEarlierCommit: a batch sent again after it was committed (a
// COMMIT whose answer was lost, then a retry) is recognised by its journal_batches row
// and not loaded or counted again; its refusals come back from the database.
func TestLoadBatchFindsAnEarlierCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openThrough(t)
	if _, err := db.LoadBatch(ctx, clientsBatch(1, 2, 30, 5)); err != nil {
		t.Fatal(err)
	}
	refused, err := db.LoadBatch(ctx, clientsBatch(1, 2, 30, 5))
	if err != nil {
		t.Fatalf("second LoadBatch of batch 1: %v", err)
	}
	if len(refused) != 1 || refused[0].Row.Line != 5 {
		t.Errorf("refused %+v, want line 5", refused)
	}
	want := "clients 29, rejections 2 + 1 DB_REFUSED, 1 batches; journal_files 33 29 3 1; journal_batches 33 29 3 1"
	if got := counts(t, db); got != want {
		t.Errorf("after the batch was sent twice:\n got %s\nwant %s", got, want)
	}
}
