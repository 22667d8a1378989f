package docs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/mdrun"
	"dmt/pkg/progtest"
)

// readmeDSN is the private server the README's examples name (scripts/mariadb-local.sh).
const readmeDSN = "root@tcp(127.0.0.1:33061)/"

// TestReadme follows the README as a newcomer does, in one terminal: its shell blocks run
// in order in one bash session (variables carry over from block to block), in a scratch
// folder laid out like the repository (bin/ with the built programs, scripts/, a copy of
// data_1/). Each command must exit with the status its comment gives (`# exit 1`), else
// 0. The only change to the text: the README's server and database names become a test
// server's fresh databases. The SQL block runs through the mariadb client.
//
// The norun blocks run through their non-interactive equivalents: the demo with the
// test server (DEMO_SERVER) and a scratch output folder; `crontab -e` is replaced by
// running the crontab line's script once (the DSN file written with the same
// permissions `(umask 077; cat > validate.dsn)` gives); the example cluster DSN and
// `scripts/galera-local.sh start` are run by scripts/test-galera.sh, and
// `scripts/test.sh` is this suite itself.
func TestReadme(t *testing.T) {
	needClients(t)
	root := repoRoot(t)
	server := mariadbtest.ServerDSN(t)
	dbs := map[string]string{"clevity": mariadbtest.NewDatabase(t), "distributech": mariadbtest.NewDatabase(t)}
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", filepath.Join(root, "data_1"), dir).CombinedOutput(); err != nil {
		t.Fatalf("copy data_1: %v: %s", err, out)
	}
	for link, target := range map[string]string{"bin": progtest.Bin, "scripts": filepath.Join(root, "scripts")} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	cnf := filepath.Join(dir, "client.cnf")
	if err := os.WriteFile(cnf, []byte(clientCnf(t, dbs["clevity"])), 0o600); err != nil {
		t.Fatal(err)
	}
	equivalents := map[string]string{
		"demo": fmt.Sprintf("DEMO_SERVER=%q DEMO_OUT=\"$PWD/out/demo\" %q\n", server, filepath.Join(root, "scripts", "demo.sh")),
		"nightly": fmt.Sprintf("(umask 077; printf '%%s\\n' %q > validate.dsn)\n", dbs["clevity"]) +
			"test \"$(stat -c %a validate.dsn)\" = 600\n" +
			"env -i PATH=/usr/bin:/bin \"$PWD/scripts/nightly_validate.sh\" \"$PWD/validate.dsn\"\n",
		"weekly": fmt.Sprintf("echo %q > distributech.dsn && chmod 600 distributech.dsn\n", dbs["distributech"]) +
			"mkdir -p srv/inbox && cp out/dt-data/distributech.sqlite srv/\n" +
			"env -i PATH=/usr/bin:/bin \"$PWD/scripts/import_commandes.sh\" \"$PWD/distributech.dsn\" \"$PWD/srv\"\n",
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	for name, dsn := range dbs {
		text = strings.ReplaceAll(text, "'"+readmeDSN+name+"'", "'"+dsn+"'")
	}
	script, ran, err := readmeScript(text, equivalents, cnf)
	if err != nil {
		t.Fatal(err)
	}
	if ran < 10 {
		t.Fatalf("the README has %d blocks to run; it shows more", ran)
	}
	cmd := exec.CommandContext(context.Background(), "bash", "-o", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "MARIADB_DSN=", "DMT_TEST_LEASE=")
	out, err := cmd.CombinedOutput()
	t.Logf("README commands:\n%s", out)
	if err != nil {
		t.Fatalf("README: %v (the failing command is named above)", err)
	}
	// Following the README leaves the working tree clean: it writes only what .gitignore
	// names (out/, the DSN files, the nightly reports), and never into data_1/ (the
	// customer's data, frozen). srv/ and client.cnf are this test's.
	ignore, err := os.ReadFile(filepath.Join(root, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !ignored(string(ignore), e.Name()) && !slices.Contains([]string{"scripts", "data_1", "srv", "client.cnf"}, e.Name()) {
			t.Errorf("the README's commands wrote %s, which .gitignore does not name", e.Name())
		}
	}
	if out, err := exec.Command("diff", "-r", filepath.Join(root, "data_1"), filepath.Join(dir, "data_1")).CombinedOutput(); err != nil {
		t.Errorf("the README's commands changed data_1/: %v\n%s", err, out)
	}
	// What the README promises of the files it makes.
	for _, f := range []string{"out/rapport_reprise.txt", "out/projets_rejetes.csv", "out/check/rapport_reprise.txt",
		"out/log_reprise.txt", "out/quarantaine_projets.csv", "out/reports/validation.json", "out/dt/etat_stock_par_produit.csv",
		"out/dt/alertes_stock.svg", "out/etat_2026-11-01.csv", "out/rapport_final.html", "out/dt/rapport_final.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("the README's commands did not write %s: %v", f, err)
		}
	}
}

var exitComment = regexp.MustCompile(`#\s*exit (\d+)`)

// readmeScript turns the README's blocks into one bash script: each shell command is
// followed by a check of its exit status against the one its comment announces (0 when
// it says none), naming the README's line when they differ; the script goes on, and
// exits 1 at its end if any differed. A norun=NAME block becomes
// equivalents[NAME]; a sql block is fed to the mariadb client (options file cnf). ran
// counts the blocks taken.
func readmeScript(md string, equivalents map[string]string, cnf string) (script string, ran int, err error) {
	var b strings.Builder
	b.WriteString("failed=0\n")
	check := func(line, want int) {
		fmt.Fprintf(&b, "s=$?; [ \"$s\" -eq %d ] || { echo \"README.md:%d: exit $s, the README says %d\" >&2; failed=1; }\n", want, line, want)
	}
	for _, blk := range mdrun.Blocks(md) {
		switch {
		case blk.Lang == "sql":
			fmt.Fprintf(&b, "mariadb --defaults-extra-file=%q <<'SQL'\n%sSQL\n", cnf, blk.Text)
			check(blk.Line, 0)
		case blk.Equivalent() != "":
			eq, ok := equivalents[blk.Equivalent()]
			if !ok {
				return "", 0, fmt.Errorf("README.md:%d: no equivalent %q to run in its place", blk.Line, blk.Equivalent())
			}
			fmt.Fprintf(&b, "{\n%s}\n", eq)
			check(blk.Line, 0)
		case blk.Runnable():
			lines := strings.Split(strings.TrimSuffix(blk.Text, "\n"), "\n")
			for i := 0; i < len(lines); i++ {
				first := i
				for strings.HasSuffix(lines[i], "\\") && i+1 < len(lines) {
					b.WriteString(lines[i] + "\n")
					i++
				}
				b.WriteString(lines[i] + "\n")
				cmd := strings.TrimSpace(lines[first])
				if cmd == "" || strings.HasPrefix(cmd, "#") {
					continue
				}
				want := 0
				if m := exitComment.FindStringSubmatch(lines[i]); m != nil {
					fmt.Sscan(m[1], &want)
				}
				check(blk.Line+1+first, want)
			}
		default:
			continue
		}
		ran++
	}
	b.WriteString("exit $failed\n")
	return b.String(), ran, nil
}

// clientCnf is a mariadb client options file for dsn, database included.
func clientCnf(t *testing.T, dsn string) string {
	t.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return optionFile(cfg)
}

// ignored reports whether a top-level name matches a pattern of the root's .gitignore.
func ignored(gitignore, name string) bool {
	for _, l := range strings.Split(gitignore, "\n") {
		l = strings.Trim(strings.TrimSpace(l), "/")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if ok, _ := filepath.Match(l, name); ok {
			return true
		}
	}
	return false
}
