// Package docs holds the tests of the pages in this folder: their links resolve, the
// runbook's commands run, the accounts of operations.md are enough for the programs.
// The generated pages (database.md, rules.md) are tested by pkg/docgen.
package docs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/mdrun"
	"dmt/pkg/progtest"
)

func TestMain(m *testing.M) {
	progtest.Main(m, "migration", "reprise", "validate", "analyse_stock", "generate_data", "export_sql", "rapport")
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func readPage(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// needClients finds MariaDB's command-line clients, which the runbook uses; CI installs
// them with the server (scripts/test.sh).
func needClients(t *testing.T) {
	t.Helper()
	for _, p := range []string{"mariadb", "mariadb-dump"} {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not found (Debian's mariadb-client package)", p)
			}
			t.Skipf("%s not found (apt-get install mariadb-client)", p)
		}
	}
}

// account is a MariaDB user made by a test from the statements of operations.md.
type account struct{ User, Password string }

// accounts are the three accounts of operations.md, for one test database.
type accounts struct {
	db                string
	admin             *mysql.Config // the test server's account: the DBA
	load, check, dump account
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newAccounts names the accounts for the database dsn names; nothing is created yet.
// They are dropped when the test ends.
func newAccounts(t *testing.T, dsn string) *accounts {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := mysql.ParseDSN(mariadbtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	suffix := randomHex()
	a := &accounts{db: cfg.DBName, admin: admin,
		load:  account{"l_" + suffix, "Pl@" + randomHex()},
		check: account{"c_" + suffix, "Pc@" + randomHex()},
		dump:  account{"d_" + suffix, "Pd@" + randomHex()}}
	t.Cleanup(func() {
		db, err := sql.Open("mysql", admin.FormatDSN())
		if err != nil {
			return
		}
		defer db.Close()
		for _, u := range []account{a.load, a.check, a.dump} {
			if _, err := db.Exec("DROP USER IF EXISTS '" + u.User + "'@'%'"); err != nil {
				t.Logf("drop user %s: %v", u.User, err)
			}
		}
	})
	return a
}

// run runs the SQL blocks of operations.md tagged tag (```sql tag), as the DBA, with the
// page's names and passwords replaced by the test's.
func (a *accounts) run(t *testing.T, tag string) error {
	t.Helper()
	r := strings.NewReplacer("`clevity`", "`"+a.db+"`",
		"'dmt_load'", "'"+a.load.User+"'", "CHANGE-ME-load", a.load.Password,
		"'dmt_check'", "'"+a.check.User+"'", "CHANGE-ME-check", a.check.Password,
		"'dmt_dump'", "'"+a.dump.User+"'", "CHANGE-ME-dump", a.dump.Password)
	db, err := sql.Open("mysql", a.admin.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	n := 0
	for _, b := range mdrun.Blocks(readPage(t, "operations.md")) {
		if b.Lang != "sql" || len(b.Flags) == 0 || b.Flags[0] != tag {
			continue
		}
		for _, stmt := range strings.Split(r.Replace(b.Text), ";\n") {
			if stmt = strings.TrimSpace(stmt); stmt != "" {
				n++
				if _, err := db.Exec(stmt); err != nil {
					return fmt.Errorf("operations.md %s: %s: %w", tag, stmt, err)
				}
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("operations.md has no ```sql %s block", tag)
	}
	return nil
}

// dsn is the DSN of the test database for u.
func (a *accounts) dsn(u account) string {
	cfg := a.admin.Clone()
	cfg.User, cfg.Passwd, cfg.DBName = u.User, u.Password, a.db
	return cfg.FormatDSN()
}

// cnf is a MariaDB client option file for u ("" user: the DBA), naming no database.
func (a *accounts) cnf(u account) string {
	cfg := *a.admin
	cfg.DBName = ""
	if u.User != "" {
		cfg.User, cfg.Passwd = u.User, u.Password
	}
	return optionFile(&cfg)
}

// optionFile is a MariaDB client option file for cfg: its account, its server, and its
// database when it names one.
func optionFile(cfg *mysql.Config) string {
	s := "[client]\nuser=" + cfg.User + "\n"
	if cfg.Passwd != "" {
		s += "password=" + cfg.Passwd + "\n"
	}
	if cfg.DBName != "" {
		s += "database=" + cfg.DBName + "\n"
	}
	if cfg.Net == "unix" {
		return s + "socket=" + cfg.Addr + "\n"
	}
	host, port, _ := strings.Cut(cfg.Addr, ":")
	return s + "protocol=TCP\nhost=" + host + "\nport=" + port + "\n"
}

// TestRunbook runs the shell blocks of runbook.md in order, against a private database
// and a copy of data_1/, in a scratch folder with the built programs and scripts/ on
// PATH. The norun blocks are run through their equivalents: the DBA's statements are
// those of operations.md (the accounts are the least-privileged ones it grants); the
// password files are written by the test; crontab -e and the spreadsheet are not run,
// the blocks after them run what they would (the nightly script once, the same fix with
// sed).
func TestRunbook(t *testing.T) {
	t.Parallel()
	needClients(t)
	dsn := mariadbtest.NewDatabase(t)
	acc := newAccounts(t, dsn)
	root := repoRoot(t)
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join(root, "data_1"), dir).CombinedOutput(); err != nil {
		t.Fatalf("copy data_1: %v: %s", err, out)
	}
	write := func(name, content string) error {
		return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
	}
	equivalents := map[string]func() error{
		"accounts": func() error {
			if err := acc.run(t, "accounts"); err != nil {
				return err
			}
			return acc.run(t, "upgrade")
		},
		"credentials": func() error {
			for name, content := range map[string]string{
				"check.dsn": acc.dsn(acc.check) + "\n", "check.cnf": acc.cnf(acc.check),
				"dump.cnf": acc.cnf(acc.dump), "admin.cnf": acc.cnf(account{}),
			} {
				if err := write(name, content); err != nil {
					return err
				}
			}
			return nil
		},
		"environment":     func() error { return nil }, // set below, for every block
		"after-first-run": func() error { return acc.run(t, "after-first-run") },
	}
	env := append(os.Environ(),
		"PATH="+progtest.Bin+string(os.PathListSeparator)+filepath.Join(root, "scripts")+string(os.PathListSeparator)+os.Getenv("PATH"),
		"MARIADB_DSN="+acc.dsn(acc.load), "DMT_DB="+acc.db, "LC_ALL=C.UTF-8")
	ran := 0
	err := mdrun.RunAll(context.Background(), readPage(t, "runbook.md"), dir, env, equivalents,
		func(b mdrun.Block, out string) {
			ran++
			t.Logf("runbook.md block at line %d:\n%s", b.Line, out)
		})
	if err != nil {
		t.Fatal(err)
	}
	if ran < 10 {
		t.Errorf("ran %d blocks of runbook.md; the procedure has more", ran)
	}
	if _, err := os.Stat(filepath.Join(dir, "backup", "before.sql")); err != nil {
		t.Errorf("no backup taken: %v", err)
	}
}

// TestOperationsAccounts creates the accounts of operations.md with its own statements and
// runs the programs with them, for both domains: the loading account migrates (schema
// steps included while it holds the upgrade privileges, without them afterwards), the
// validation account validates and exports the stock, the export account dumps. Without
// a privilege, a program fails with one line that names it.
func TestOperationsAccounts(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	dir := t.TempDir()
	gen := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "3", "-weeks", "1",
		"-today", "2026-11-15", "-out", filepath.Join(dir, "dt"))
	if gen.Code != 0 {
		t.Fatalf("generate_data: %d %s", gen.Code, gen.Stderr)
	}
	inputs := map[string]string{"clevity": filepath.Join(root, "cmd", "migration", "testdata", "small"), "distributech": filepath.Join(dir, "dt")}
	for _, name := range domain.Names() {
		t.Run(name, func(t *testing.T) {
			acc := newAccounts(t, mariadbtest.NewDatabase(t))
			for _, tag := range []string{"accounts", "upgrade"} {
				if err := acc.run(t, tag); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(dir, name+"-out")
			migrate := func() progtest.Result {
				return progtest.Run(t, []string{"MARIADB_DSN=" + acc.dsn(acc.load)}, nil, "migration",
					"-domain", name, "-today", "2026-11-15", "-out", out, inputs[name])
			}
			if r := migrate(); r.Code > 1 {
				t.Fatalf("migration with the loading account: exit %d: %s", r.Code, r.Stderr)
			}
			if err := acc.run(t, "after-first-run"); err != nil {
				t.Fatal(err)
			}
			if r := migrate(); r.Code > 1 {
				t.Fatalf("migration again, without the upgrade privileges: exit %d: %s", r.Code, r.Stderr)
			}
			check := []string{"MARIADB_DSN=" + acc.dsn(acc.check)}
			// It records its run and every check's result, which the final report reads.
			if r := progtest.Run(t, check, nil, "validate", "-domain", name, "-out", out); r.Code != 0 || strings.Contains(r.Stderr, "not stored") {
				t.Errorf("validate with the validation account: exit %d: %s", r.Code, r.Stderr)
			}
			if name == "distributech" {
				if r := progtest.Run(t, check, nil, "analyse_stock", "-out", out+"/"); r.Code != 0 {
					t.Errorf("analyse_stock with the validation account: exit %d: %s", r.Code, r.Stderr)
				}
			}
			if _, err := exec.LookPath("mariadb-dump"); err == nil {
				cnf := filepath.Join(dir, name+"-dump.cnf")
				if err := os.WriteFile(cnf, []byte(acc.cnf(acc.dump)), 0o600); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("mariadb-dump", "--defaults-extra-file="+cnf, "--single-transaction", "--no-tablespaces",
					"--add-drop-database", "--databases", acc.db)
				dump, err := cmd.Output()
				if err != nil {
					var stderr string
					if ee, ok := err.(*exec.ExitError); ok {
						stderr = string(ee.Stderr)
					}
					t.Errorf("mariadb-dump with the export account: %v: %s", err, stderr)
				} else if !strings.Contains(string(dump), "CREATE TABLE `journal`") {
					t.Errorf("the dump holds no journal table")
				}
			} else if os.Getenv("CI") != "" {
				t.Error("mariadb-dump not found")
			}

			// An account that may read but not write the journal (the export account):
			// validate checks all the same and says once that its run is not recorded.
			r := progtest.Run(t, []string{"MARIADB_DSN=" + acc.dsn(acc.dump)}, nil, "validate", "-domain", name, "-out", out)
			if r.Code != 0 || !strings.Contains(r.Stderr, "validate: read-only: this run is not recorded in the journal") {
				t.Errorf("validate with a read-only account: exit %d: %s; want 0 and the read-only line", r.Code, r.Stderr)
			}
			// A missing privilege: migration with that account fails with one line naming it.
			r = progtest.Run(t, []string{"MARIADB_DSN=" + acc.dsn(acc.dump)}, nil, "migration", "-domain", name, "-out", filepath.Join(out, "ro"), inputs[name])
			oneLine(t, "migration with a read-only account", r, "lacks the", "privilege", "docs/operations.md")
		})
	}
	t.Run("upgrade without privileges", func(t *testing.T) {
		acc := newAccounts(t, mariadbtest.NewDatabase(t))
		if err := acc.run(t, "accounts"); err != nil {
			t.Fatal(err)
		}
		r := progtest.Run(t, []string{"MARIADB_DSN=" + acc.dsn(acc.load)}, nil, "migration", "-out", filepath.Join(dir, "noddl"),
			filepath.Join(root, "cmd", "migration", "testdata", "small"))
		oneLine(t, "migration without the upgrade privileges", r, "needs a privilege this account lacks", "CREATE command denied", "docs/operations.md")
	})
}

// oneLine checks that a run failed with exit 2 and one line of stderr holding every want.
func oneLine(t *testing.T, what string, r progtest.Result, want ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	if r.Code != 2 || len(lines) != 1 {
		t.Errorf("%s: exit %d with %d lines, want exit 2 and one line:\n%s", what, r.Code, len(lines), r.Stderr)
		return
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Errorf("%s: %q does not say %q", what, lines[0], w)
		}
	}
}

// TestFormatsNamesEveryColumn holds formats.md to the domains: every column of every
// entity appears in its tables.
func TestFormatsNamesEveryColumn(t *testing.T) {
	t.Parallel()
	page := readPage(t, "formats.md")
	cells := map[string]bool{}
	for _, line := range strings.Split(page, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		for _, c := range strings.Split(line, "|") {
			for _, name := range strings.Split(c, ",") {
				cells[strings.TrimSpace(name)] = true
			}
		}
	}
	for _, name := range domain.Names() {
		for _, e := range domain.ByName(name).Entities {
			for _, col := range e.Columns() {
				if !cells[col] {
					t.Errorf("docs/formats.md: no table names column %s of %s %s", col, name, e.Name)
				}
			}
		}
	}
}

var (
	linkRE    = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	headingRE = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*\s*$`)
	codeRE    = regexp.MustCompile("`[^`]*`")
)

// anchors returns the anchors GitHub gives the headings of a Markdown page.
func anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(md, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence = !inFence
			continue
		}
		m := headingRE.FindStringSubmatch(line)
		if inFence || m == nil {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(m[1]) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && (r < 0x2000 || r > 0x2bff):
				b.WriteRune(r)
			}
		}
		a := b.String()
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	}
	return out
}

// TestLinks walks every link of README.md and docs/*.md: a relative link must name a
// file or folder of the repository (never outside it), and a #fragment a heading of the
// page it points to.
func TestLinks(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	pages = append(pages, filepath.Join(root, "README.md"))
	checked := 0
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, page)
		inFence := false
		for i, line := range strings.Split(string(data), "\n") {
			if t := strings.TrimSpace(line); strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
				inFence = !inFence
				continue
			}
			if inFence {
				continue
			}
			for _, m := range linkRE.FindAllStringSubmatch(codeRE.ReplaceAllString(line, ""), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				checked++
				where := fmt.Sprintf("%s:%d: link %s", rel, i+1, target)
				path, frag, _ := strings.Cut(target, "#")
				file := page
				if path != "" {
					file = filepath.Join(filepath.Dir(page), path)
					if r, err := filepath.Rel(root, file); err != nil || strings.HasPrefix(r, "..") {
						t.Errorf("%s: points outside the repository", where)
						continue
					}
					if _, err := os.Stat(file); err != nil {
						t.Errorf("%s: no such file in the repository", where)
						continue
					}
				}
				if frag == "" {
					continue
				}
				if !strings.HasSuffix(file, ".md") {
					t.Errorf("%s: a fragment on a file that is not Markdown", where)
					continue
				}
				md, err := os.ReadFile(file)
				if err != nil {
					t.Errorf("%s: %v", where, err)
					continue
				}
				if !anchors(string(md))[frag] {
					t.Errorf("%s: no heading gives #%s", where, frag)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d links: the link pattern is broken", checked)
	}
}
