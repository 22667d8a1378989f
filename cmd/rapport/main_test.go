package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"dmt/pkg/browsertest"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

var update = flag.Bool("update", false, "write the screenshots of docs/ again")

func TestMain(m *testing.M) {
	progtest.Main(m, "rapport", "migration", "reprise", "validate", "generate_data", "analyse_stock")
}

const today = "2026-11-15"

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func repoPath(t *testing.T, parts ...string) string {
	t.Helper()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root}, parts...)...)
}

// interruptedMigration starts migration of data in batches of 500, pausing after each,
// sends it SIGINT once it has committed batches batches, and returns its stderr: the
// run ends on a batch boundary, exit 2, recorded as failed with a file unfinished.
func interruptedMigration(t *testing.T, dsn, data, out string, batches int) string {
	t.Helper()
	cmd := exec.Command(progtest.Path("migration"), "-dsn", dsn, "-today", today, "-out", out, "-batch", "500", data)
	cmd.Env = append(os.Environ(), "DMT_TEST_PAUSE_AFTER_BATCH=300ms")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		logText, _ := os.ReadFile(filepath.Join(out, "log.txt"))
		if strings.Count(string(logText), "action=committed") >= batches {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("migration never reached %d batches: %s", batches, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("interrupted migration: %v, want exit 2: %s", err, stderr.String())
	}
	return stderr.String()
}

// setStatut sets a project's statut behind the constraints' back (to break the row, or
// to put it back), as someone editing the database by hand would.
func setStatut(t *testing.T, db *sql.DB, id int, statut string) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{"SET SESSION check_constraint_checks = 0", "UPDATE projets SET statut = ? WHERE id_projet = ?"} {
		args := []any{}
		if strings.HasPrefix(q, "UPDATE") {
			args = []any{statut, id}
		}
		if _, err := conn.ExecContext(context.Background(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
}

// history runs the scripted history on a fresh clevity database and returns its DSN:
// a migration of data_1 interrupted by Ctrl-C and finished by running it again, reprise
// of projets_corrompus.csv, then three nights of validate: passing, failing on a row
// broken by hand, passing again once it is put back.
func history(t *testing.T) (dsn string) {
	t.Helper()
	dsn = mariadbtest.NewDatabase(t)
	out := t.TempDir()
	data := repoPath(t, "data_1")
	interruptedMigration(t, dsn, data, out, 3)
	if res := progtest.Run(t, nil, nil, "migration", "-dsn", dsn, "-today", today, "-out", out, data); res.Code > 1 {
		t.Fatalf("migration rerun: exit %d: %s", res.Code, res.Stderr)
	}
	if res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, filepath.Join(data, "projets_corrompus.csv")); res.Code != 1 {
		t.Fatalf("reprise: exit %d: %s", res.Code, res.Stderr)
	}
	db := openDB(t, dsn)
	var id int
	var statut string
	if err := db.QueryRow("SELECT id_projet, statut FROM projets WHERE statut <> 'termine' AND note_satisfaction IS NULL ORDER BY id_projet LIMIT 1").Scan(&id, &statut); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{0, 1, 0} {
		if i == 1 {
			setStatut(t, db, id, "fini")
		}
		if i == 2 {
			setStatut(t, db, id, statut)
		}
		if res := progtest.Run(t, nil, nil, "validate", "-dsn", dsn, "-out", filepath.Join(out, "validation")); res.Code != want {
			t.Fatalf("validate %d: exit %d, want %d: %s", i+1, res.Code, want, res.Stderr)
		}
		time.Sleep(1100 * time.Millisecond) // one report file per second, and distinct start times
	}
	return dsn
}

// cells returns a Markdown table row's cells.
func cells(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	parts := strings.Split(line, " | ")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// num reads a figure as the report writes it (narrow no-break spaces between groups).
func num(t *testing.T, s string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(strings.NewReplacer("\u202f", "", "\u00a0", "", "−", "-").Replace(s), 10, 64)
	if err != nil {
		t.Fatalf("not a figure: %q", s)
	}
	return v
}

// section returns the Markdown text of the section whose heading starts with title.
func section(t *testing.T, md, title string) string {
	t.Helper()
	i := strings.Index(md, "\n## "+title)
	if i < 0 {
		t.Fatalf("no section %q in:\n%s", title, md)
	}
	rest := md[i+1:]
	if j := strings.Index(rest[3:], "\n## "); j >= 0 {
		rest = rest[:j+3]
	}
	return rest
}

// tableRows returns the data rows of the first table after the line holding after.
func tableRows(t *testing.T, text, after string) [][]string {
	t.Helper()
	i := strings.Index(text, after)
	if i < 0 {
		t.Fatalf("no %q in:\n%s", after, text)
	}
	var rows [][]string
	inTable := false
	for _, line := range strings.Split(text[i:], "\n")[1:] {
		switch {
		case strings.HasPrefix(line, "|") && !inTable:
			inTable = true // the header
		case strings.HasPrefix(line, "| ---"):
		case strings.HasPrefix(line, "|"):
			rows = append(rows, cells(line))
		case inTable:
			return rows
		}
	}
	return rows
}

type counts struct{ runs, read, inserted, rejected, ignored, updated int64 }

// TestFinalReport builds the report after the scripted history and checks that every
// figure of the Markdown equals what the journal holds (per file and in total), the
// rows per table, the codes, corrections and quarantine, the nights of validation and
// the interrupted run with the run that finished it. Then the HTML page is rendered in
// a real browser: screenshot, PDF print, its DOM holds the headline figures, no image
// that is not inline, no script, no element wider than the window.
func TestFinalReport(t *testing.T) {
	t.Parallel()
	dsn := history(t)
	db := openDB(t, dsn)
	out := t.TempDir()
	res := progtest.Run(t, nil, nil, "rapport", "-dsn", dsn, "-out", out, "-today", today)
	if res.Code != 0 || !strings.Contains(res.Stderr, "rapport: wrote "+filepath.Join(out, "rapport_final.html")) {
		t.Fatalf("rapport: exit %d: %s", res.Code, res.Stderr)
	}
	mdBytes, err := os.ReadFile(filepath.Join(out, "rapport_final.md"))
	if err != nil {
		t.Fatal(err)
	}
	md := string(mdBytes)

	// Per file and in total, from the journal.
	want := map[string]counts{}
	var total counts
	rows, err := db.Query("SELECT j.tool, f.file, COUNT(*), SUM(f.`read`), SUM(f.inserted), SUM(f.rejected), SUM(f.ignored), SUM(f.updated)" +
		" FROM journal_files f JOIN journal j ON j.run_id = f.run_id GROUP BY j.tool, f.file")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var tool, file string
		var c counts
		if err := rows.Scan(&tool, &file, &c.runs, &c.read, &c.inserted, &c.rejected, &c.ignored, &c.updated); err != nil {
			t.Fatal(err)
		}
		want[tool+" "+file] = c
		total.read += c.read
		total.inserted += c.inserted
		total.rejected += c.rejected
		total.ignored += c.ignored
		total.updated += c.updated
	}
	rows.Close()
	var journalRead, journalInserted int64
	if err := db.QueryRow("SELECT SUM(`read`), SUM(inserted) FROM journal WHERE tool IN ('migration', 'reprise')").Scan(&journalRead, &journalInserted); err != nil {
		t.Fatal(err)
	}
	if journalRead != total.read || journalInserted != total.inserted {
		t.Errorf("journal runs say %d read, %d inserted; their files %d, %d", journalRead, journalInserted, total.read, total.inserted)
	}
	files := tableRows(t, section(t, md, "2."), "| fichier | outil |")
	if len(files) != len(want)+1 {
		t.Fatalf("%d rows in the per-file table, want %d files and a total:\n%v", len(files), len(want), files)
	}
	for _, r := range files {
		got := counts{read: num(t, r[4]), inserted: num(t, r[5]), rejected: num(t, r[6]), ignored: num(t, r[7]), updated: num(t, r[8])}
		if r[0] == "**total**" {
			if got != (counts{read: total.read, inserted: total.inserted, rejected: total.rejected, ignored: total.ignored, updated: total.updated}) {
				t.Errorf("total row %v, journal %+v", r, total)
			}
			continue
		}
		got.runs = num(t, r[3])
		if w, ok := want[r[1]+" "+r[0]]; !ok || got != w {
			t.Errorf("file %s (%s): report %+v, journal %+v", r[0], r[1], got, w)
		}
		if !strings.HasPrefix(r[10], "✓") {
			t.Errorf("file %s: balance %q", r[0], r[10])
		}
	}
	head := section(t, md, "1.")
	for label, v := range map[string]int64{"Lignes lues": total.read, "Insérées": total.inserted, "Rejetées": total.rejected,
		"Ignorées": total.ignored, "Mises à jour": total.updated} {
		m := regexp.MustCompile(`(?m)^- ` + label + ` : (.+)$`).FindStringSubmatch(head)
		if m == nil || num(t, m[1]) != v {
			t.Errorf("headline %s: %v, journal %d", label, m, v)
		}
	}
	if !strings.Contains(head, "✓ vérifiée") {
		t.Errorf("the accounting identity is not shown as checked:\n%s", head)
	}
	var sources int64
	if err := db.QueryRow("SELECT COUNT(DISTINCT file, sha256) FROM journal_files WHERE sha256 IS NOT NULL").Scan(&sources); err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^- Fichiers reçus \(contenus distincts\) : (.+)$`).FindStringSubmatch(head); m == nil || num(t, m[1]) != sources {
		t.Errorf("files received %v, journal %d", m, sources)
	}
	for _, r := range tableRows(t, head, "### La base aujourd'hui") {
		var n int64
		table := strings.Trim(r[0], "`")
		if err := db.QueryRow("SELECT COUNT(*) FROM `" + table + "`").Scan(&n); err != nil || n != num(t, r[1]) {
			t.Errorf("table %s: report %s rows, database %d (%v)", table, r[1], n, err)
		}
	}

	// Rejections by code, corrections by rule, quarantine.
	codes := tableRows(t, section(t, md, "3."), "| code |")
	if len(codes) < 10 {
		t.Errorf("only %d rejection codes", len(codes))
	}
	for _, r := range codes {
		code := regexp.MustCompile(`^\[(\w+)\]\(docs/rules\.md#\w+\)$`).FindStringSubmatch(r[0])
		if code == nil {
			t.Fatalf("code cell %q: want a link to docs/rules.md", r[0])
		}
		var n int64
		if err := db.QueryRow("SELECT COUNT(*) FROM rejections WHERE tool = 'migration' AND FIND_IN_SET(?, codes) > 0", code[1]).Scan(&n); err != nil || n != num(t, r[1]) {
			t.Errorf("code %s: report %s, rejections %d (%v)", code[1], r[1], n, err)
		}
	}
	if ex := codes[0][2]; strings.Count(ex, ".csv:") < 2 {
		t.Errorf("the first code shows %q, want two or three real rows", ex)
	}
	repairs := section(t, md, "4.")
	var corrected int64
	for _, r := range tableRows(t, repairs, "| règle |") {
		var n int64
		if err := db.QueryRow("SELECT COUNT(*) FROM corrections WHERE rule = ?", strings.Trim(r[0], "`")).Scan(&n); err != nil || n != num(t, r[1]) {
			t.Errorf("rule %s: report %s, corrections %d (%v)", r[0], r[1], n, err)
		}
		if !strings.Contains(r[2], "→") {
			t.Errorf("rule %s: no before → after example: %q", r[0], r[2])
		}
		corrected += num(t, r[1])
	}
	if corrected != 77 {
		t.Errorf("%d values corrected in the report, want data_1's 77", corrected)
	}
	if q := tableRows(t, repairs, "### Encore en quarantaine"); len(q) != 1 || q[0][0] != "projets" || num(t, q[0][1]) != 114 {
		t.Errorf("quarantine %v, want projets 114", q)
	}

	// Validation over time: pass, fail, pass; the check that failed, and when fixed.
	valid := section(t, md, "5.")
	nights := tableRows(t, valid, "| date (UTC) |")
	var verdicts []string
	for _, r := range nights {
		verdicts = append(verdicts, strings.Fields(r[2])[0])
	}
	if strings.Join(verdicts, " ") != "PASS FAIL PASS" {
		t.Errorf("validations %v, want PASS FAIL PASS", verdicts)
	}
	// The row broken by hand fails its rule and its fingerprint; both were fixed.
	failed := tableRows(t, valid, "### Vérifications qui ont échoué")
	var names []string
	for _, f := range failed {
		names = append(names, f[0])
		if !strings.HasPrefix(f[5], "oui, le ") {
			t.Errorf("failed check %v not shown as fixed", f)
		}
	}
	if len(failed) != 2 || !strings.Contains(strings.Join(names, " "), "projets.statut") ||
		!strings.Contains(strings.Join(names, " "), "projets rows changed outside the toolkit") {
		t.Errorf("failed checks %v, want projets.statut and the projets fingerprint, fixed", failed)
	}

	// The interrupted migration and the rerun that finished it.
	var interrupted, rerun string
	if err := db.QueryRow("SELECT run_id FROM journal WHERE tool = 'migration' AND status = 'failed'").Scan(&interrupted); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT run_id FROM journal WHERE tool = 'migration' AND status <> 'failed'").Scan(&rerun); err != nil {
		t.Fatal(err)
	}
	runs := section(t, md, "6.")
	in := tableRows(t, runs, "### Exécutions interrompues")
	if len(in) != 1 || !strings.Contains(in[0][0], interrupted) || !strings.Contains(in[0][3], rerun) {
		t.Errorf("interrupted runs %v, want %s finished by %s", in, interrupted, rerun)
	}
	var nRuns int
	if err := db.QueryRow("SELECT COUNT(*) FROM journal").Scan(&nRuns); err != nil {
		t.Fatal(err)
	}
	if all := tableRows(t, runs, "| outil | exécution |"); len(all) != nRuns {
		t.Errorf("%d runs in the report, %d in the journal", len(all), nRuns)
	}
	if tr := section(t, md, "Traçabilité"); !strings.Contains(tr, "```sql\nSELECT t.`") || !strings.Contains(tr, "| run_id | ") {
		t.Errorf("no traceability query with a real row:\n%s", tr)
	}
	var journalRows int
	if err := db.QueryRow("SELECT COUNT(*) FROM journal WHERE tool = 'rapport'").Scan(&journalRows); err != nil || journalRows != 0 {
		t.Errorf("rapport wrote %d journal rows (%v): it only reads", journalRows, err)
	}

	// A period after every run: nothing happened in it, the database is as it is.
	later := t.TempDir()
	if res := progtest.Run(t, nil, nil, "rapport", "-dsn", dsn, "-out", later, "-since", "2099-01-01", "-title", "Rien depuis"); res.Code != 0 {
		t.Fatalf("rapport -since: exit %d: %s", res.Code, res.Stderr)
	}
	empty, _ := os.ReadFile(filepath.Join(later, "rapport_final.md"))
	if !strings.HasPrefix(string(empty), "# Rien depuis\n") || !strings.Contains(string(empty), "- Lignes lues : 0\n") ||
		!strings.Contains(string(empty), "période : depuis le 2099-01-01") || !strings.Contains(string(empty), "| `projets` | "+fmtNum(count(t, db, "projets"))+" |") {
		t.Errorf("-since 2099-01-01: want no rows read and the tables as they are:\n%s", empty)
	}

	page := filepath.Join(out, "rapport_final.html")
	checkStatic(t, page)
	t.Run("browser", func(t *testing.T) {
		chromium := browsertest.Chromium(t)
		dom := browsertest.DumpDOM(t, chromium, page, 1280)
		for _, fig := range []int64{total.read, total.inserted, total.rejected, total.ignored} {
			if !strings.Contains(dom, `<span class="value">`+fmtNum(fig)+`</span>`) {
				t.Errorf("the rendered DOM lacks the headline figure %d", fig)
			}
		}
		if !strings.Contains(dom, `id="last-validation" class="ok"`) || strings.Count(dom, "<svg") < 5 {
			t.Errorf("rendered DOM: last validation not shown as passed, or fewer than 5 charts")
		}
		checkLayout(t, chromium, page)
		if n := browsertest.PrintPDF(t, chromium, page, filepath.Join(t.TempDir(), "rapport_final.pdf")); n < 4 {
			t.Errorf("printed on %d pages, want a page or more per section", n)
		}
		shot := filepath.Join(t.TempDir(), "rapport_final.png")
		browsertest.Screenshot(t, chromium, page, shot, 1280, 2000)
		keep(t, shot, "rapport_final.png")
	})
}

func count(t *testing.T, db *sql.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow("SELECT COUNT(*) FROM `" + table + "`").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fmtNum writes a figure as the report does.
func fmtNum(v int64) string {
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	return b.String()
}

// checkStatic reads a page as written: no script, no stylesheet or image fetched, every
// <img> inline.
func checkStatic(t *testing.T, page string) {
	t.Helper()
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*regexp.Regexp{regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)<link\b`),
		regexp.MustCompile(`(?i)\bsrc\s*=\s*["']?(https?:|//)`), regexp.MustCompile(`(?i)url\(\s*["']?(https?:|//)`),
		regexp.MustCompile(`(?i)@import`)} {
		if loc := bad.FindIndex(data); loc != nil {
			t.Errorf("%s holds %q", filepath.Base(page), data[loc[0]:min(len(data), loc[1]+40)])
		}
	}
	for _, img := range regexp.MustCompile(`(?i)<img\b[^>]*>`).FindAll(data, -1) {
		if !bytes.Contains(img, []byte(`src="data:`)) {
			t.Errorf("image not inline: %s", img)
		}
	}
}

// checkLayout renders the page at a screen's width and at about an A4 page's, and
// fails for any element passing the window's right edge (a table or chart that would
// need a horizontal scroll bar, or be cut on paper) or any image not inline and decoded.
func checkLayout(t *testing.T, chromium, page string) {
	t.Helper()
	for _, width := range []int{1280, 760} {
		l := browsertest.Measure(t, chromium, page, width)
		if l.ScrollWidth > l.Width || len(l.Overflow) > 0 {
			t.Errorf("%s at %d px: document %d px wide, elements past the edge: %v", filepath.Base(page), width, l.ScrollWidth, l.Overflow)
		}
		if len(l.Broken) > 0 || l.Scripts != 0 || l.SVGs == 0 {
			t.Errorf("%s at %d px: broken images %v, %d scripts, %d charts", filepath.Base(page), width, l.Broken, l.Scripts, l.SVGs)
		}
	}
}

// keep copies a screenshot into docs/ when the test runs with -update.
func keep(t *testing.T, shot, name string) {
	t.Helper()
	if !*update {
		return
	}
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(repoPath(t, "docs", name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote docs/%s", name)
}

// TestDistributechPages: the wholesaler's database after a generated load: the report
// holds the stock section (counts per status match analyse_stock's export), and both
// the report and analyse_stock's chart page render in the browser without overflow.
func TestDistributechPages(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	if res := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "1", "-today", today, "-weeks", "6", "-defects", "0.03", "-out", src); res.Code != 0 {
		t.Fatalf("generate_data: %s", res.Stderr)
	}
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	if res := progtest.Run(t, nil, nil, "migration", "-domain", "distributech", "-dsn", dsn, "-today", today, "-out", out, src); res.Code > 1 {
		t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
	}
	chart := filepath.Join(out, "alertes_stock.html")
	if res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", today, "-out", out, "-chart", "html"); res.Code != 0 {
		t.Fatalf("analyse_stock: exit %d: %s", res.Code, res.Stderr)
	}
	if res := progtest.Run(t, nil, nil, "rapport", "-domain", "distributech", "-dsn", dsn, "-today", today, "-out", out); res.Code != 0 {
		t.Fatalf("rapport: exit %d: %s", res.Code, res.Stderr)
	}
	md, err := os.ReadFile(filepath.Join(out, "rapport_final.md"))
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[string]int64{}
	for _, r := range progtest.ReadCSV(t, filepath.Join(out, "etat_stock_par_produit.csv"))[1:] {
		byStatus[r[8]]++
	}
	stock := section(t, string(md), "7.")
	for _, r := range tableRows(t, stock, "| état | produits |") {
		if num(t, r[1]) != byStatus[r[0]] {
			t.Errorf("stock %s: report %s, analyse_stock %d", r[0], r[1], byStatus[r[0]])
		}
	}
	if under := tableRows(t, stock, "### Produits au seuil"); int64(len(under)) != byStatus["SOUS_SEUIL"]+byStatus["RUPTURE"] {
		t.Errorf("%d products under their threshold in the report, %d in the export", len(under), byStatus["SOUS_SEUIL"]+byStatus["RUPTURE"])
	}
	report := filepath.Join(out, "rapport_final.html")
	checkStatic(t, report)
	checkStatic(t, chart)
	t.Run("browser", func(t *testing.T) {
		chromium := browsertest.Chromium(t)
		dom := browsertest.DumpDOM(t, chromium, chart, 1280)
		if !strings.Contains(dom, `class="panel"`) || !strings.Contains(dom, "<table>") {
			t.Errorf("the chart page renders without small multiples or its table")
		}
		checkLayout(t, chromium, chart)
		checkLayout(t, chromium, report)
		shot := filepath.Join(t.TempDir(), "stock.png")
		browsertest.Screenshot(t, chromium, chart, shot, 1280, 900)
		keep(t, shot, "analyse_stock_chart.png")
	})
}

// TestManual: -h prints the manual on stdout with every flag (see progtest.CheckManual).
func TestManual(t *testing.T) {
	t.Parallel()
	progtest.CheckManual(t, "rapport", run)
}

// TestCannotRun: bad command lines and databases it cannot read exit 2 with one line,
// and write no file.
func TestCannotRun(t *testing.T) {
	t.Parallel()
	older := mariadbtest.NewDatabase(t)
	db := openDB(t, older)
	for _, q := range []string{"CREATE TABLE schema_version (name VARCHAR(40) NOT NULL, sha256 CHAR(64) NOT NULL, applied_at DATETIME(3) NOT NULL, PRIMARY KEY (name, sha256))",
		"INSERT INTO schema_version VALUES ('0001_journal_tables', REPEAT('0', 64), NOW())"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no database", []string{"-dsn", ""}, "no database"},
		{"bad since", []string{"-dsn", older, "-since", "15/11/2026"}, "-since: want YYYY-MM-DD"},
		{"argument", []string{"-dsn", older, "extra"}, "unexpected argument"},
		{"unknown domain", []string{"-dsn", older, "-domain", "x"}, "unknown domain"},
		{"database down", []string{"-dsn", "root@tcp(127.0.0.1:1)/x"}, "cannot reach MariaDB at 127.0.0.1:1"},
		{"empty database", []string{"-dsn", mariadbtest.NewDatabase(t)}, "no dmt schema"},
		{"older schema", []string{"-dsn", older}, "schema"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			res := progtest.Run(t, []string{"MARIADB_DSN="}, nil, "rapport", append([]string{"-out", dir}, c.args...)...)
			line := strings.TrimSpace(res.Stderr)
			if res.Code != 2 || !strings.Contains(line, c.want) || strings.Contains(line, "\n") {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", res.Code, res.Stderr, c.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("files written though it could not run: %v", entries)
			}
		})
	}
}
