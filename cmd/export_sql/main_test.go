package main

import (
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m, "export_sql", "migration", "generate_data") }

const today = "2026-11-15"

// loaded returns the DSN of a fresh database of domain holding a small generated sample.
func loaded(t *testing.T, domain string) string {
	t.Helper()
	dir := t.TempDir()
	gen := []string{"-seed", "7", "-today", today, "-out", dir}
	if domain == "distributech" {
		gen = append(gen, "-domain", "distributech", "-revendeurs", "10", "-produits", "40", "-weeks", "2", "-defects", "0.05")
	} else {
		gen = append(gen, "-clients", "30", "-intervenants", "12", "-projets", "60", "-affectations", "200", "-defects", "0.05")
	}
	if res := progtest.Run(t, nil, nil, "generate_data", gen...); res.Code != 0 {
		t.Fatalf("generate_data: %s", res.Stderr)
	}
	dsn := mariadbtest.NewDatabase(t)
	res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-domain", domain, "-today", today, "-out", t.TempDir(), dir)
	if res.Code > 1 {
		t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
	}
	return dsn
}

func requireDumpTool(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("mariadb-dump"); err != nil {
		t.Fatal("mariadb-dump is missing: apt-get install mariadb-client (scripts/test.sh does it as root)")
	}
}

// exported returns the one dump in dir, checking that its .sha256 holds its digest in
// sha256sum's format.
func exported(t *testing.T, dir string) string {
	t.Helper()
	dumps, _ := filepath.Glob(filepath.Join(dir, "export_*.sql.gz"))
	if len(dumps) != 1 {
		all, _ := os.ReadDir(dir)
		t.Fatalf("want one export_*.sql.gz in %s, have %v", dir, all)
	}
	data, err := os.ReadFile(dumps[0])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:]) + "  " + filepath.Base(dumps[0]) + "\n"
	if got, _ := os.ReadFile(dumps[0] + ".sha256"); string(got) != want {
		t.Errorf("%s.sha256 = %q, want %q", dumps[0], got, want)
	}
	return dumps[0]
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// restoreInto feeds a dump to the mariadb client, as a person restores it, into a new
// database, and returns its DSN.
func restoreInto(t *testing.T, dump string) string {
	t.Helper()
	dsn := mariadbtest.NewDatabase(t)
	cfg, _ := mysql.ParseDSN(dsn)
	f, err := os.Open(dump)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(cfg.Addr, ":")
	cmd := exec.Command("mariadb", "-u"+cfg.User, "-h"+host, "-P"+port, "--protocol=TCP", cfg.DBName)
	if cfg.Passwd != "" {
		cmd.Env = append(os.Environ(), "MYSQL_PWD="+cfg.Passwd)
	}
	cmd.Stdin = gz
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("restore %s: %v: %s", dump, err, out)
	}
	return dsn
}

// tableDigest is, for every table, its row count and checksum, for every view its
// row count: what two copies of a database must share.
func tableDigest(t *testing.T, dsn string) string {
	t.Helper()
	db := openDB(t, dsn)
	rows, err := db.Query("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name")
	if err != nil {
		t.Fatal(err)
	}
	var names, types []string
	for rows.Next() {
		var n, ty string
		rows.Scan(&n, &ty)
		names, types = append(names, n), append(types, ty)
	}
	rows.Close()
	var b strings.Builder
	for i, n := range names {
		var count int
		if err := db.QueryRow("SELECT COUNT(*) FROM `" + n + "`").Scan(&count); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s %d", n, types[i], count)
		if types[i] == "BASE TABLE" {
			var name string
			var sum sql.NullInt64
			db.QueryRow("CHECKSUM TABLE `"+n+"`").Scan(&name, &sum)
			fmt.Fprintf(&b, " %d", sum.Int64)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Export, restore by hand, compare: on both domains (the README's export_sql -out
// backup -verify and its sha256sum -c), the restored database holds the
// same tables, views and rows; -verify says so, drops its scratch database and the
// journal records the run with the file and its SHA-256.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	requireDumpTool(t)
	for _, domain := range []string{"clevity", "distributech"} {
		t.Run(domain, func(t *testing.T) {
			dsn := loaded(t, domain)
			out := t.TempDir()
			res := progtest.Run(t, nil, nil, "export_sql", "-dsn", dsn, "-out", out, "-verify")
			if res.Code != 0 || !strings.Contains(res.Stderr, "identical once restored") {
				t.Fatalf("export_sql -verify: exit %d: %s", res.Code, res.Stderr)
			}
			dump := exported(t, out)
			// The README's check of a dump, as written there.
			check := exec.Command("bash", "-c", "sha256sum -c export_*.sql.gz.sha256")
			check.Dir = out
			if msg, err := check.CombinedOutput(); err != nil || !strings.HasSuffix(string(msg), ": OK\n") {
				t.Errorf("sha256sum -c: %v: %s", err, msg)
			}
			cfg, _ := mysql.ParseDSN(dsn)
			if want := "export_" + cfg.DBName + "_"; !strings.HasPrefix(filepath.Base(dump), want) {
				t.Errorf("dump %s, want a name starting %s", dump, want)
			}
			text := gunzip(t, dump)
			for _, want := range []string{"CREATE TABLE `journal`", "INSERT INTO `journal`"} {
				if !strings.Contains(text, want) {
					t.Errorf("the dump lacks %q", want)
				}
			}
			if strings.Contains(text, "CREATE DATABASE") || strings.Contains(text, "\nUSE ") {
				t.Error("the dump names its database; it must restore into any")
			}
			if domain == "distributech" && !strings.Contains(text, "SQL SECURITY INVOKER") {
				t.Error("the dump's view stock_actuel is not SQL SECURITY INVOKER")
			}
			restored := restoreInto(t, dump)
			// The export's own journal row was dumped while running, then finished.
			a, b := tableDigest(t, dsn), tableDigest(t, restored)
			if stripJournal(a) != stripJournal(b) {
				t.Errorf("restored database differs:\nsource:\n%s\nrestored:\n%s", a, b)
			}
			db := openDB(t, dsn)
			var status, msg string
			if err := db.QueryRow("SELECT status, message FROM journal WHERE tool = 'export_sql'").Scan(&status, &msg); err != nil {
				t.Fatal(err)
			}
			if sum, _ := os.ReadFile(dump + ".sha256"); status != "ok" || !strings.Contains(msg, strings.Fields(string(sum))[0]) {
				t.Errorf("journal: %s %q, want ok with the SHA-256", status, msg)
			}
			if domain == "distributech" {
				// The README's -tables produits,stock: those two, verified, and no other.
				some := t.TempDir()
				res := progtest.Run(t, nil, nil, "export_sql", "-dsn", dsn, "-tables", "produits,stock", "-out", some, "-verify")
				if res.Code != 0 || !strings.Contains(res.Stderr, "verified: 2 tables") {
					t.Errorf("-tables produits,stock: exit %d: %s", res.Code, res.Stderr)
				}
				text := gunzip(t, exported(t, some))
				if strings.Count(text, "CREATE TABLE") != 2 || !strings.Contains(text, "CREATE TABLE `stock`") {
					t.Errorf("-tables produits,stock: the dump creates %d tables", strings.Count(text, "CREATE TABLE"))
				}
				if res := progtest.Run(t, nil, nil, "export_sql", "-dsn", dsn, "-tables", "produits,nope", "-out", some); res.Code != 2 || !strings.Contains(res.Stderr, "no table or view nope") {
					t.Errorf("-tables with an unknown table: exit %d: %s", res.Code, res.Stderr)
				}
			}
			var scratch int
			db.QueryRow("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name LIKE ?", cfg.DBName+"\\_verify\\_%").Scan(&scratch)
			if scratch != 0 {
				t.Errorf("%d scratch databases left behind", scratch)
			}
		})
	}
}

// stripJournal leaves out the journal's line: it changed after the dump (the export's
// own run finished).
func stripJournal(digest string) string {
	var keep []string
	for _, l := range strings.Split(digest, "\n") {
		if !strings.HasPrefix(l, "journal ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// newAccount creates an account with exactly grants (statements with %s for the
// account) and returns its DSN on the database of dsn; dropped when the test ends.
func newAccount(t *testing.T, dsn string, grants ...string) (string, string) {
	t.Helper()
	var b [5]byte
	rand.Read(b[:])
	user := "exp_" + hex.EncodeToString(b[:])
	password := "Pw#\"x " + hex.EncodeToString(b[:]) + "'\\;@:/"
	admin := openDB(t, mariadbtest.ServerDSN(t))
	account := "'" + user + "'@'%'"
	quoted := "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(password) + "'"
	if _, err := admin.Exec("CREATE USER " + account + " IDENTIFIED BY " + quoted); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP USER IF EXISTS " + account) })
	for _, g := range grants {
		stmt := fmt.Sprintf(g, account)
		if _, err := admin.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	cfg, _ := mysql.ParseDSN(dsn)
	cfg.User, cfg.Passwd = user, password
	return cfg.FormatDSN(), password
}

// The documented least-privilege account exports and verifies; without SHOW VIEW the
// run stops with one line naming the refused statement and what the account needs.
func TestLeastPrivilegeAccount(t *testing.T) {
	t.Parallel()
	requireDumpTool(t)
	dsn := loaded(t, "distributech")
	cfg, _ := mysql.ParseDSN(dsn)
	db := "`" + cfg.DBName + "`"
	scratch := "`" + strings.ReplaceAll(cfg.DBName, "_", "\\_") + "\\_verify\\_%`"
	least, password := newAccount(t, dsn,
		"GRANT SELECT, SHOW VIEW, TRIGGER ON "+db+".* TO %s",
		"GRANT INSERT, UPDATE ON "+db+".journal TO %s",
		"GRANT ALL PRIVILEGES ON "+strings.ReplaceAll(scratch, "%", "%%")+".* TO %s")
	out := t.TempDir()
	res := progtest.Run(t, nil, nil, "export_sql", "-dsn", least, "-out", out, "-verify")
	if res.Code != 0 {
		t.Fatalf("least-privilege export_sql -verify: exit %d: %s", res.Code, res.Stderr)
	}
	exported(t, out)
	progtest.NoSecret(t, password, dsn, []string{out}, res)

	noView, _ := newAccount(t, dsn, "GRANT SELECT ON "+db+".* TO %s", "GRANT INSERT, UPDATE ON "+db+".journal TO %s")
	out = t.TempDir()
	res = progtest.Run(t, nil, nil, "export_sql", "-dsn", noView, "-out", out)
	if res.Code != 2 || !strings.Contains(res.Stderr, "SHOW VIEW") || !strings.Contains(res.Stderr, "lacks a privilege") ||
		strings.Count(strings.TrimSpace(res.Stderr), "\n") != 0 {
		t.Errorf("without SHOW VIEW: exit %d, stderr %q; want 2 and one line naming the privilege", res.Code, res.Stderr)
	}
	if left, _ := os.ReadDir(out); len(left) != 0 {
		t.Errorf("a failed export left %v", left)
	}
}

// The password reaches mariadb-dump and mariadb through an owner-only options file,
// removed afterwards: a wrapper standing for mariadb-dump on PATH records its command
// line and environment, the options file's mode and whether it holds the password.
func TestPasswordOnlyInOptionsFile(t *testing.T) {
	t.Parallel()
	requireDumpTool(t)
	dsn := loaded(t, "clevity")
	userDSN, password := mariadbtest.NewUser(t, dsn)
	cfg, _ := mysql.ParseDSN(userDSN)
	scratch := "`" + strings.ReplaceAll(cfg.DBName, "_", "\\_") + "\\_verify\\_%`"
	for _, host := range []string{"%", "localhost"} {
		if _, err := openDB(t, mariadbtest.ServerDSN(t)).Exec("GRANT ALL ON " + scratch + ".* TO '" + cfg.User + "'@'" + host + "'"); err != nil {
			t.Fatal(err)
		}
	}
	bin, record := t.TempDir(), filepath.Join(t.TempDir(), "record")
	for _, tool := range []string{"mariadb-dump", "mariadb"} {
		real, err := exec.LookPath(tool)
		if err != nil {
			t.Fatal(err)
		}
		wrapper := `#!/bin/bash
{
	echo "== ` + tool + ` argv"; cat /proc/$$/cmdline | tr '\0' '\n'
	echo "== env"; cat /proc/$$/environ | tr '\0' '\n'
	for a in "$@"; do
		case $a in --defaults-extra-file=*)
			f=${a#*=}
			echo "== options $f mode $(stat -c %a "$f") dir $(stat -c %a "$(dirname "$f")")"
			grep -q '^password="..*"$' "$f" && echo "== options hold a password"
			echo "$f" >> "$DMT_TEST_RECORD.files";;
		esac
	done
} >> "$DMT_TEST_RECORD"
exec ` + real + ` "$@"
`
		if err := os.WriteFile(filepath.Join(bin, tool), []byte(wrapper), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "DMT_TEST_RECORD=" + record, "MARIADB_DSN=" + userDSN}
	res := progtest.Run(t, env, nil, "export_sql", "-out", t.TempDir(), "-verify")
	if res.Code != 0 {
		t.Fatalf("export_sql: exit %d: %s", res.Code, res.Stderr)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	rec := string(data)
	for _, want := range []string{"== mariadb-dump argv", "== mariadb argv", "mode 600 dir 700", "== options hold a password"} {
		if !strings.Contains(rec, want) {
			t.Errorf("record lacks %q:\n%s", want, rec)
		}
	}
	if strings.Contains(rec, password) {
		t.Errorf("the password is in a client's command line or environment:\n%s", rec)
	}
	files, _ := os.ReadFile(record + ".files")
	for _, f := range strings.Fields(string(files)) {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("options file %s left behind", f)
		}
	}
	progtest.NoSecret(t, password, dsn, nil, res)
}

// A missing mariadb-dump is one line saying how to install it; nothing is written.
func TestMissingDumpTool(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	res := progtest.Run(t, []string{"PATH=" + t.TempDir()}, nil, "export_sql", "-dsn", "u:p@tcp(127.0.0.1:1)/x", "-out", out)
	if res.Code != 2 || res.Stderr != "export_sql: mariadb-dump not found on PATH (install it: apt-get install mariadb-client)\n" {
		t.Errorf("exit %d, stderr %q", res.Code, res.Stderr)
	}
}

// A dump that lost rows on its way (here a mariadb-dump that drops the products'
// INSERT) is caught by -verify: exit 1, naming the table.
func TestVerifyCatchesADifference(t *testing.T) {
	t.Parallel()
	requireDumpTool(t)
	dsn := loaded(t, "distributech")
	real, _ := exec.LookPath("mariadb-dump")
	bin := t.TempDir()
	// One INSERT per row ($1 is the options file, which must stay first), then none
	// of the products'.
	wrapper := "#!/bin/bash\nset -o pipefail\n" + real + " \"$1\" --skip-extended-insert \"${@:2}\" | grep -v '^INSERT INTO `produits`'\n"
	if err := os.WriteFile(filepath.Join(bin, "mariadb-dump"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	res := progtest.Run(t, []string{"PATH=" + bin + ":" + os.Getenv("PATH")}, nil, "export_sql", "-dsn", dsn, "-out", t.TempDir(), "-verify")
	if res.Code != 1 || !strings.Contains(res.Stderr, "differs: produits: 38 rows, checksum ") || !strings.Contains(res.Stderr, "restored 0 rows") {
		t.Errorf("exit %d, stderr %q; want 1 naming produits", res.Code, res.Stderr)
	}
	var status string
	openDB(t, dsn).QueryRow("SELECT status FROM journal WHERE tool = 'export_sql'").Scan(&status)
	if status != "data_errors" {
		t.Errorf("journal status %q, want data_errors", status)
	}
}

// A full disk stops the export with one line saying so, and leaves no partial file.
// It needs a small tmpfs, so it runs only where the test may mount one (root).
func TestDiskFull(t *testing.T) {
	t.Parallel()
	requireDumpTool(t)
	dsn := loaded(t, "clevity")
	out := t.TempDir()
	if err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", out).Run(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v", err)
	}
	t.Cleanup(func() { exec.Command("umount", out).Run() })
	res := progtest.Run(t, nil, nil, "export_sql", "-dsn", dsn, "-out", out)
	if res.Code != 2 || !strings.Contains(res.Stderr, "disk full") || strings.Count(res.Stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 2 and one line saying the disk is full", res.Code, res.Stderr)
	}
	if left, _ := os.ReadDir(out); len(left) != 0 {
		t.Errorf("a failed export left %v", left)
	}
	var status string
	openDB(t, dsn).QueryRow("SELECT status FROM journal WHERE tool = 'export_sql'").Scan(&status)
	if status != "failed" {
		t.Errorf("journal status %q, want failed", status)
	}
}
