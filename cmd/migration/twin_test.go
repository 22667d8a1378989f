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

	"github.com/go-sql-driver/mysql"

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
// committed. Whatever the interleaving, the twin is ignored (ALREADY_LOADED) and every
// account of the run agrees with the rows in the table: the report, the console, the
// log, the journal's run, file and batches.
func TestTwinStoredMeanwhile(t *testing.T) {
	t.Parallel()
	data := writeDataset(t, 550) // batches of 100: the sixth, the last, holds 50 rows
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
			if res.code != 0 {
				t.Fatalf("exit %d, want 0: %s", res.code, res.stderr)
			}
			lost := c.cut != 0 || c.kill
			if got := regexp.MustCompile(`action=reconnected .*first_line=502 `).MatchString(readLog(t, out)); got != lost {
				t.Errorf("log.txt: the last batch (lines 502-551) reconnected %v, want %v", got, lost)
			}
			checkAccounts(t, db, out, res, counts{read: 550, inserted: 549, ignored: 1})
			if n := count(t, db, "SELECT COUNT(*) FROM clients WHERE run_id = 'other'"); n != 1 {
				t.Errorf("%d clients of the other session, want its twin", n)
			}
		})
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
	dbName := dsnDatabase(t, dsn)
	deadline := time.Now().Add(60 * time.Second)
	for {
		var thread int64
		err := db.QueryRow(`SELECT t.trx_mysql_thread_id FROM information_schema.innodb_trx t
			JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
			WHERE t.trx_state = 'LOCK WAIT' AND p.db = ?`, dbName).Scan(&thread)
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if err == nil && count(t, db, "SELECT COUNT(*) FROM journal_batches WHERE file = 'clients.csv'") == 5 {
			return thread
		}
		select {
		case res := <-done:
			t.Fatalf("the run ended (exit %d) before its last batch waited for the twin: %s", res.code, res.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the last batch never waited for the twin (%d batches committed)", count(t, db, "SELECT COUNT(*) FROM journal_batches WHERE file = 'clients.csv'"))
		}
	}
}

func dsnDatabase(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil || cfg.DBName == "" {
		t.Fatalf("no database in %s (%v)", dsn, err)
	}
	return cfg.DBName
}

// counts are a file's accounts.
type counts struct{ read, inserted, rejected, ignored int }

func (c counts) String() string {
	return fmt.Sprintf("read %d, inserted %d, rejected %d, ignored %d", c.read, c.inserted, c.rejected, c.ignored)
}

// checkAccounts compares every account of the run that wrote out (the only run of
// clients.csv in db) with want: the JSON
// and text reports, the console line, the log's end of file and its batches, the
// journal's run, file and batches, and the rows of the run in the table with its
// rejections.
func checkAccounts(t *testing.T, db *sql.DB, out string, res result, want counts) {
	t.Helper()
	rep := readReport(t, out)
	run := rep.RunID
	f := rep.Files[0]
	logText := readLog(t, out)
	got := map[string]string{
		"rapport_reprise.json": fmt.Sprintf("read %d, inserted %d, rejected %d, ignored %d", f.Read, f.Inserted, f.Rejected, f.Ignored),
		"rapport_reprise.txt":  findCounts(t, readText(t, filepath.Join(out, "rapport_reprise.txt")), `clients\.csv \(clients\)  read (\d+), inserted (\d+), rejected (\d+), ignored (\d+)`),
		"console":              findCounts(t, res.stderr, `read (\d+), inserted (\d+), rejected (\d+), ignored (\d+) in`),
		"log end of file":      findCounts(t, logText, `action=end run=\S+ file=clients\.csv read=(\d+) inserted=(\d+) rejected=(\d+) still_rejected=\d+ ignored=(\d+)`),
		"log batches":          logBatches(logText),
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
	if f.ByCode["ALREADY_LOADED"] != want.ignored {
		t.Errorf("report: %d ALREADY_LOADED, want %d", f.ByCode["ALREADY_LOADED"], want.ignored)
	}
	if n := alreadyLoadedInLog(logText); n != want.ignored {
		t.Errorf("log.txt: %d rows ALREADY_LOADED, want %d", n, want.ignored)
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

// logBatches adds up the log's committed batches of clients.csv: the rows each says it
// wrote and refused; the rows ignored are what the other lines leave of those read.
func logBatches(logText string) string {
	re := regexp.MustCompile(`action=committed run=\S+ file=clients\.csv line=(\d+) rows=(\d+) first_line=\d+ refused=(\d+)`)
	last, rows, refused := 0, 0, 0
	for _, m := range re.FindAllStringSubmatch(logText, -1) {
		line, _ := strconv.Atoi(m[1])
		n, _ := strconv.Atoi(m[2])
		r, _ := strconv.Atoi(m[3])
		last, rows, refused = max(last, line), rows+n, refused+r
	}
	read := last - 1 // a header, then one row a line
	return counts{read, rows, refused, read - rows - refused}.String()
}

// alreadyLoadedInLog counts the rows the log says were ALREADY_LOADED.
func alreadyLoadedInLog(logText string) int {
	n := 0
	for _, l := range strings.Split(logText, "\n") {
		if !strings.Contains(l, "code=ALREADY_LOADED") {
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
