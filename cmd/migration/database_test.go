package main

import (
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
)

// oneLine fails unless res exited 2 with one line on stderr holding every want.
func oneLine(t *testing.T, what string, res result, want ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	ok := res.code == 2 && len(lines) == 1
	for _, w := range want {
		ok = ok && strings.Contains(lines[0], w)
	}
	if !ok {
		t.Errorf("%s: exit %d, stderr %q; want exit 2 and one line with %q", what, res.code, res.stderr, want)
	}
}

// A typo in the database name is an error for every program, and creates nothing;
// -create-db is how a database is created.
func TestMissingDatabaseIsAnError(t *testing.T) {
	t.Parallel()
	cfg, err := mysql.ParseDSN(mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName += "_typo"
	typo := cfg.FormatDSN()
	admin := openDB(t, mariadbtest.ServerDSN(t))
	exists := func() bool {
		return count(t, admin, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", cfg.DBName) == 1
	}
	out := t.TempDir()
	for _, c := range []struct {
		prog string
		args []string
	}{
		{"migration", []string{"-out", out, "testdata/small"}},
		{"reprise", []string{"-out", out, "../../data_1/projets_corrompus.csv"}},
		{"validate", []string{"-out", out}},
		{"analyse_stock", []string{"-out", out}},
	} {
		res := runProg(t, nil, c.prog, append([]string{"-dsn", typo}, c.args...)...)
		oneLine(t, c.prog, res, "database "+cfg.DBName+" does not exist", "-create-db")
		if exists() {
			t.Fatalf("%s created the database %s", c.prog, cfg.DBName)
		}
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS `" + cfg.DBName + "`") })
	res := migration(t, typo, "-create-db", "-out", out, "testdata/small")
	if res.code > 1 || !exists() {
		t.Fatalf("migration -create-db: exit %d, %s", res.code, res.stderr)
	}
	if n := count(t, openDB(t, typo), "SELECT COUNT(*) FROM clients"); n == 0 {
		t.Errorf("migration -create-db loaded no client")
	}
}

// A database belongs to the domain that first wrote it: the other domain's programs
// refuse it with one line, in both directions, and nothing of theirs is loaded.
func TestDomainsDoNotMix(t *testing.T) {
	t.Parallel()
	clevity, distributech := mariadbtest.NewDatabase(t), mariadbtest.NewDatabase(t)
	dt := distributechData(t, "5", 2, "0")
	if res := migration(t, clevity, "-out", t.TempDir(), "testdata/small"); res.code > 1 {
		t.Fatalf("migration clevity: exit %d: %s", res.code, res.stderr)
	}
	if res := dtMigration(t, distributech, dt); res.code > 1 {
		t.Fatalf("migration distributech: exit %d: %s", res.code, res.stderr)
	}
	oneLine(t, "distributech into clevity", dtMigration(t, clevity, dt), "is a clevity database, not distributech")
	oneLine(t, "clevity into distributech", migration(t, distributech, "-out", t.TempDir(), "testdata/small"),
		"is a distributech database, not clevity")
	oneLine(t, "validate -domain distributech on clevity",
		runProg(t, nil, "validate", "-dsn", clevity, "-domain", "distributech", "-out", t.TempDir()), "is a clevity database")
	oneLine(t, "analyse_stock on clevity",
		runProg(t, nil, "analyse_stock", "-dsn", clevity, "-out", t.TempDir()), "is a clevity database")
	db := openDB(t, clevity)
	if n := count(t, db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'produits'"); n != 0 {
		t.Errorf("the refused distributech run created its tables in the clevity database")
	}
	if n := count(t, openDB(t, distributech), "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'clients'"); n != 0 {
		t.Errorf("the refused clevity run created its tables in the distributech database")
	}
}

// Read-only programs refuse a schema older or newer than they know, naming both; a
// writing program upgrades an older one and refuses a newer one.
func TestSchemaVersionChecks(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	if res := migration(t, dsn, "-out", t.TempDir(), "testdata/small"); res.code > 1 {
		t.Fatalf("migration: exit %d: %s", res.code, res.stderr)
	}
	db := openDB(t, dsn)
	var last string
	if err := db.QueryRow("SELECT MAX(name) FROM schema_version").Scan(&last); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DELETE FROM schema_version WHERE name = ?", last); err != nil {
		t.Fatal(err)
	}
	oneLine(t, "validate on an older schema", runProg(t, nil, "validate", "-dsn", dsn, "-out", t.TempDir()),
		"database schema is older", "up to "+last, "run migration or reprise once")
	if res := migration(t, dsn, "-out", t.TempDir(), "testdata/small"); res.code > 1 {
		t.Fatalf("migration on an older schema: exit %d: %s", res.code, res.stderr)
	}
	if res := runProg(t, nil, "validate", "-dsn", dsn, "-out", t.TempDir()); res.code > 1 {
		t.Errorf("validate after the upgrade: exit %d: %s", res.code, res.stderr)
	}
	if _, err := db.Exec("INSERT INTO schema_version (name, sha256, applied_at) VALUES ('9999_journal_future', REPEAT('a', 64), NOW())"); err != nil {
		t.Fatal(err)
	}
	oneLine(t, "validate on a newer schema", runProg(t, nil, "validate", "-dsn", dsn, "-out", t.TempDir()),
		"newer (step 9999_journal_future)", "up to "+last)
	oneLine(t, "migration on a newer schema", migration(t, dsn, "-out", t.TempDir(), "testdata/small"), "newer (step 9999_journal_future)")
}

// An account that may only read and write rows runs migration on a database whose
// schema is current (no DDL is run then), and is told which step and which privilege
// it lacks when a step is pending.
func TestLeastPrivilegeAccount(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	if res := migration(t, dsn, "-out", t.TempDir(), "testdata/small"); res.code > 1 {
		t.Fatalf("migration: exit %d: %s", res.code, res.stderr)
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin := openDB(t, dsn)
	user := "u_" + cfg.DBName[len(cfg.DBName)-8:]
	for _, q := range []string{
		"CREATE USER '" + user + "'@'%' IDENTIFIED BY 'Pw-0123456789'",
		"GRANT SELECT, INSERT, UPDATE, DELETE ON `" + cfg.DBName + "`.* TO '" + user + "'@'%'",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { admin.Exec("DROP USER IF EXISTS '" + user + "'@'%'") })
	limited := cfg.Clone()
	limited.User, limited.Passwd = user, "Pw-0123456789"
	if res := migration(t, limited.FormatDSN(), "-out", t.TempDir(), "testdata/small"); res.code > 1 {
		t.Errorf("migration with a row-only account on a current schema: exit %d: %s", res.code, res.stderr)
	}
	var last string
	if err := admin.QueryRow("SELECT MAX(name) FROM schema_version").Scan(&last); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("DELETE FROM schema_version WHERE name = ?", last); err != nil {
		t.Fatal(err)
	}
	oneLine(t, "a pending step with a row-only account", migration(t, limited.FormatDSN(), "-out", t.TempDir(), "testdata/small"),
		"schema step "+last+" needs a privilege this account lacks", "command denied") // CREATE or ALTER, as the last step is
}
