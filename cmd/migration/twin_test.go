package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestTwinStoredMeanwhile: another session stores, identical, a row of the last batch
// of clients.csv after the migration began the file (the checker then asks nothing of
// an empty table) and before the batch is written: the batch finds it at its insert,
// already loaded. Its transaction holds the row while the batch waits for it; then, as
// each case says, the batch's connection is lost (its COMMIT cut after the server
// applied it or before, or the connection killed while it waits) and the twin
// committed. The batch also holds a row the checks reject, one they ignore and one the
// database refuses. Whatever the interleaving, the twin is ignored (ALREADY_LOADED) and
// every account of the run agrees with the rows in the tables: the report, the console,
// the log, the rejected rows, the journal's run, file and batches.
func TestTwinStoredMeanwhile(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 550)
	// Batches of 100: the sixth, the last, holds lines 502-553: clients 501-550, then
	// client 551 with a bad e-mail and a copy of client 505.
	appendLines(t, filepath.Join(data, "clients.csv"),
		"551,Client 551,,pas-un-email,,Lyon,2015-01-01",
		"505,Client 505,,client505@example.fr,,Lyon,2015-01-01")
	for _, c := range []struct {
		name string
		cut  mariadbtest.Cut
		kill bool
	}{
		{name: "no cut"},
		{name: "cut after commit", cut: mariadbtest.AfterCommit},
		{name: "cut before commit", cut: mariadbtest.BeforeCommit},
		{name: "killed while waiting", kill: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dsn := mariadbtest.NewDatabase(t)
			// An earlier run creates the tables.
			if res := migration(t, dsn, "-out", t.TempDir(), filepath.Join(data, "intervenants.csv")); res.code != 0 {
				t.Fatalf("first run exit %d: %s", res.code, res.stderr)
			}
			db := openDB(t, dsn)
			if _, err := db.Exec("ALTER TABLE clients ADD CONSTRAINT ck_test_nom CHECK (nom <> 'Client 530')"); err != nil {
				t.Fatal(err)
			}
			twin := holdTwin(t, db, 540)
			proxy, proxyDSN := mariadbtest.NewProxy(t, dsn)
			out := t.TempDir()
			done := start(t, "migration", "-dsn", proxyDSN, "-today", "2026-11-15", "-out", out, "-batch", "100", filepath.Join(data, "clients.csv"))
			thread := waitForTwinLock(t, db, dsn, done)
			if c.cut != 0 {
				proxy.CutAt(1, c.cut, false) // the next COMMIT is the waiting batch's
			}
			if c.kill {
				if _, err := db.Exec(fmt.Sprintf("KILL CONNECTION %d", thread)); err != nil {
					t.Fatal(err)
				}
			}
			if err := twin.Commit(); err != nil {
				t.Fatal(err)
			}
			res := <-done
			if res.code != 1 {
				t.Fatalf("exit %d, want 1 (rows rejected): %s", res.code, res.stderr)
			}
			lost := c.cut != 0 || c.kill
			if got := regexp.MustCompile(`action=reconnected .*first_line=502 `).MatchString(readLog(t, out)); got != lost {
				t.Errorf("log.txt: the last batch (lines 502-553) reconnected %v, want %v", got, lost)
			}
			checkAccounts(t, db, out, res, counts{read: 552, inserted: 548, rejected: 2, ignored: 2}, 1)
			if n := count(t, db, "SELECT COUNT(*) FROM clients WHERE run_id = 'other'"); n != 1 {
				t.Errorf("%d clients of the other session, want its twin", n)
			}
		})
	}
}

// appendLines appends lines to the file at path.
func appendLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// start starts a built program and returns a channel that gives its result once it
// exits; the program is killed if the test ends first.
func start(t *testing.T, prog string, args ...string) <-chan result {
	t.Helper()
	cmd := exec.Command(progtest.Path(prog), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		done <- result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	return done
}

// holdTwin inserts client id as the migration would load it (same values and
// fingerprint), in a transaction of another run left open, and returns it.
func holdTwin(t *testing.T, db *sql.DB, id int) *sql.Tx {
	t.Helper()
	e := domain.Clevity().Entity("clients")
	vals := []string{strconv.Itoa(id), fmt.Sprintf("Client %d", id), "", fmt.Sprintf("client%d@example.fr", id), "", "Lyon", "2015-01-01"}
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	if _, err := tx.Exec("INSERT INTO clients (id_client, nom, secteur, email, telephone, ville, date_creation, row_sha, run_id, source_file, source_line) "+
		"VALUES (?, ?, NULL, ?, NULL, ?, ?, ?, 'other', 'other.csv', 7)", vals[0], vals[1], vals[3], vals[5], vals[6], e.Fingerprint(vals)); err != nil {
		t.Fatal(err)
	}
	return tx
}

// waitForTwinLock waits until the migration committed every batch but the one
// holding the twin, which waits for the twin's lock, and returns the thread id of the
// waiting connection. It fails if the run ends first.
func waitForTwinLock(t *testing.T, db *sql.DB, dsn string, done <-chan result) int64 {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		thread, waits := lockWaiter(t, db, dbName(t, dsn), "clients")
		if waits && count(t, db, "SELECT COUNT(*) FROM journal_batches WHERE file = 'clients.csv'") == 5 {
			return thread
		}
		select {
		case res := <-done:
			t.Fatalf("the run ended (exit %d) before its last batch waited for the twin: %s", res.code, res.stderr)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the last batch never waited for the twin (%d batches committed)", count(t, db, "SELECT COUNT(*) FROM journal_batches WHERE file = 'clients.csv'"))
		}
	}
}

// lockWaiter returns the thread id of a connection whose transaction waits for a row
// lock of table in database dbName, as SHOW ENGINE INNODB STATUS tells: the server
// fills information_schema.innodb_trx from a cache it refreshes only when nobody read
// it for 100 ms, which tests polling it at once can prevent for a minute.
func lockWaiter(t *testing.T, db *sql.DB, dbName, table string) (int64, bool) {
	t.Helper()
	var typ, name, status string
	if err := db.QueryRow("SHOW ENGINE INNODB STATUS").Scan(&typ, &name, &status); err != nil {
		t.Fatal(err)
	}
	thread := regexp.MustCompile(`MariaDB thread id (\d+),`)
	for _, trx := range strings.Split(status, "---TRANSACTION ") {
		if !strings.Contains(trx, "LOCK WAIT") || !strings.Contains(trx, " of table `"+dbName+"`.`"+table+"` ") {
			continue
		}
		if m := thread.FindStringSubmatch(trx); m != nil {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			return id, true
		}
	}
	return 0, false
}

// counts are a file's accounts.
type counts struct{ read, inserted, rejected, ignored int }

func (c counts) String() string {
	return fmt.Sprintf("read %d, inserted %d, rejected %d, ignored %d", c.read, c.inserted, c.rejected, c.ignored)
}

// checkAccounts compares every account of the run that wrote out (the only run of
// clients.csv in db) with want: the JSON and text reports, the console line, the log's
// end of file and its lines for rows, the rejected rows, the journal's run, file and
// batches, and the rows of the run in the table with its rejections. Of the rows
// ignored, loaded were ALREADY_LOADED.
func checkAccounts(t *testing.T, db *sql.DB, out string, res result, want counts, loaded int) {
	t.Helper()
	rep := readReport(t, out)
	run := rep.RunID
	f := rep.Files[0]
	logText := readLog(t, out)
	got := map[string]string{
		"rapport_reprise.json": counts{f.Read, f.Inserted, f.Rejected, f.Ignored}.String(),
		"rapport_reprise.txt":  findCounts(t, readText(t, filepath.Join(out, "rapport_reprise.txt")), `clients\.csv \(clients\)  read (\d+), inserted (\d+), rejected (\d+), ignored (\d+)`),
		"console":              findCounts(t, res.stderr, `read (\d+), inserted (\d+), rejected (\d+), ignored (\d+) in`),
		"log end of file":      findCounts(t, logText, `action=end run=\S+ file=clients\.csv read=(\d+) inserted=(\d+) rejected=(\d+) still_rejected=\d+ ignored=(\d+)`),
		"log rows":             logRows(logText),
		"rejected rows":        counts{want.read, want.inserted, len(readCSV(t, filepath.Join(out, "rejets", "clients.csv"))) - 1, want.ignored}.String(),
		"journal":              dbCounts(t, db, "SELECT `read`, inserted, rejected, ignored FROM journal WHERE run_id = ?", run),
		"journal_files":        dbCounts(t, db, "SELECT `read`, inserted, rejected, ignored FROM journal_files WHERE run_id = ?", run),
		"journal_batches":      dbCounts(t, db, "SELECT SUM(`read`), SUM(inserted), SUM(rejected), SUM(ignored) FROM journal_batches WHERE run_id = ?", run),
	}
	inserted := count(t, db, "SELECT COUNT(*) FROM clients WHERE run_id = ?", run)
	rejected := count(t, db, "SELECT COUNT(*) FROM rejections WHERE run_id = ?", run)
	got["tables"] = counts{want.read, inserted, rejected, want.read - inserted - rejected}.String()
	for _, what := range slices.Sorted(maps.Keys(got)) {
		if got[what] != want.String() {
			t.Errorf("%s: %s, want %s", what, got[what], want)
		}
	}
	if f.ByCode["ALREADY_LOADED"] != loaded {
		t.Errorf("report: %d ALREADY_LOADED, want %d", f.ByCode["ALREADY_LOADED"], loaded)
	}
	if n := ignoredInLog(logText, "ALREADY_LOADED"); n != loaded {
		t.Errorf("log.txt: %d rows ALREADY_LOADED, want %d", n, loaded)
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// findCounts finds pattern (four groups: read, inserted, rejected, ignored) in text.
func findCounts(t *testing.T, text, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(text)
	if m == nil {
		return "not found: " + pattern
	}
	var c [4]int
	for i := range c {
		c[i], _ = strconv.Atoi(m[i+1])
	}
	return counts{c[0], c[1], c[2], c[3]}.String()
}

// logRows adds up what the log says of the rows of clients.csv: those its committed
// batches wrote, those it rejected, those it ignored.
func logRows(logText string) string {
	inserted := 0
	for _, m := range regexp.MustCompile(`action=committed run=\S+ file=clients\.csv line=\d+ rows=(\d+) `).FindAllStringSubmatch(logText, -1) {
		n, _ := strconv.Atoi(m[1])
		inserted += n
	}
	rejected := len(regexp.MustCompile(`action=(rejected|still_rejected) run=\S+ file=clients\.csv `).FindAllString(logText, -1))
	ignored := ignoredInLog(logText, "")
	return counts{inserted + rejected + ignored, inserted, rejected, ignored}.String()
}

// ignoredInLog counts the rows of clients.csv the log says were ignored with code (any
// code when ""): one a line, or rows=N for a line that sums them up.
func ignoredInLog(logText, code string) int {
	n := 0
	for _, l := range strings.Split(logText, "\n") {
		if !strings.Contains(l, "action=ignored ") || !strings.Contains(l, "file=clients.csv ") || !strings.Contains(l, "code="+code) {
			continue
		}
		if m := regexp.MustCompile(` rows=(\d+)`).FindStringSubmatch(l); m != nil {
			k, _ := strconv.Atoi(m[1])
			n += k
		} else {
			n++
		}
	}
	return n
}

func dbCounts(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	var c [4]sql.NullInt64
	if err := db.QueryRow(q, args...).Scan(&c[0], &c[1], &c[2], &c[3]); err != nil {
		return fmt.Sprintf("%s: %v", q, err)
	}
	return counts{int(c[0].Int64), int(c[1].Int64), int(c[2].Int64), int(c[3].Int64)}.String()
}
