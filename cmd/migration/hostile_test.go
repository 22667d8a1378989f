package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"dmt/pkg/csvfile"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// Tests of issue 12's hostile inputs: inputs that hold the run's outputs, inputs that
// are not files, names that are not UTF-8, rows larger than the server takes.

// runWithin runs a built program as runProg does, but kills it after limit: a program
// that hangs fails the test instead of blocking the suite.
func runWithin(t *testing.T, limit time.Duration, env []string, prog string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, progtest.Path(prog), args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %v still running after %s: killed (stderr: %s)", prog, args, limit, stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// noDatabase is the environment of a dry run that checks the files alone.
var noDatabase = []string{"MARIADB_DSN="}

// copyFile copies src to dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// countRecords counts the records of a CSV file, malformed ones included.
func countRecords(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := csvfile.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	n := 0
	for {
		_, err := r.Read()
		var pe *csvfile.ParseError
		switch {
		case err == io.EOF:
			return n
		case err == nil || errors.As(err, &pe):
			n++
		default:
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// The issue's command: `mkdir -p W/rejets && cp data_1/*.csv W/rejets/ && migration -out
// W W/rejets`. The run's rejects go exactly where its inputs are. It once truncated its
// inputs and read the rejects it was appending to, until the kernel killed it. Now it
// must end, read each input once, and leave the rejects in place of the inputs, each
// original kept as NAME.<run_id>.csv, the other files untouched.
func TestOutputFolderHoldsTheInputs(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	w := t.TempDir()
	in := filepath.Join(w, "rejets")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	originals, _ := filepath.Glob("../../data_1/*.csv")
	before := map[string][]byte{}
	for _, p := range originals {
		copyFile(t, p, filepath.Join(in, filepath.Base(p)))
		before[filepath.Base(p)], _ = os.ReadFile(p)
	}
	res := runWithin(t, 5*time.Minute, nil, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", w, in)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (data_1 holds rows to reject): %s", res.code, res.stderr)
	}
	rep := readReport(t, w)
	db := openDB(t, dsn)
	if n := count(t, db, "SELECT COUNT(*) FROM journal_files"); n != 4 {
		t.Errorf("the run read %d files, want the 4 inputs once each", n)
	}
	inputs := []string{"clients.csv", "intervenants.csv", "projets.csv", "affectations.csv"}
	for _, f := range rep.Files {
		src := filepath.Join(in, strings.TrimSuffix(f.File, ".csv")+"."+rep.RunID+".csv")
		rows := countRecords(t, src)
		if f.Read != rows {
			t.Errorf("%s: read %d rows, the input holds %d: each input is read once, whole", f.File, f.Read, rows)
		}
	}
	for name, data := range before {
		path := filepath.Join(in, name)
		if !slices.Contains(inputs, name) {
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Errorf("%s, not an input, changed", name)
			}
			continue
		}
		kept := filepath.Join(in, strings.TrimSuffix(name, ".csv")+"."+rep.RunID+".csv")
		if got, err := os.ReadFile(kept); err != nil || !bytes.Equal(got, data) {
			t.Errorf("the original %s is not kept as %s (%v)", name, kept, err)
		}
		rows := readCSV(t, path)
		if h := rows[0]; len(h) < 4 || h[len(h)-3] != "_line" {
			t.Errorf("%s is not the rejects file now: header %v", name, h)
			continue
		}
		var file struct{ Rejected int }
		for _, f := range rep.Files {
			if f.File == name {
				file.Rejected = f.Rejected
			}
		}
		if len(rows)-1 != file.Rejected {
			t.Errorf("%s holds %d rejected rows, the report says %d", name, len(rows)-1, file.Rejected)
		}
	}
	leftovers(t, in)
}

// A pattern of weekly files (commandes/*.csv) reads every file it matches whatever the
// case of its name, but never what a run wrote: the kept version of a file a run
// replaced (NAME.<run_id>.csv, as when -rejects names a weekly file) nor a hidden file.
func TestPatternSkipsWhatRunsWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmds := filepath.Join(dir, "commandes")
	if err := os.MkdirAll(cmds, 0o755); err != nil {
		t.Fatal(err)
	}
	week := "numero_commande,id_revendeur,date_commande,ref_produit,quantite,prix_unitaire\nC-1,1,2026-02-10,P-1,3,10.50\n"
	for _, name := range []string{"commandes_2026-W07_R012.csv", "COMMANDES_2026-W08_R012.CSV",
		"commandes_2026-W07_R012.20261115T100000Z-3fa2c1.csv", "commandes_2026-W07_R012.20261115T100000Z-3fa2c1-2.csv",
		".commandes_2026-W09_R012.csv", ".commandes_2026-W07_R012.csv.tmp-123"} {
		if err := os.WriteFile(filepath.Join(cmds, name), []byte(week), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	res := runWithin(t, time.Minute, noDatabase, "migration", "-domain", "distributech", "-dry-run", "-today", "2026-11-15",
		"-entity", "lignes_commande", "-out", out, dir)
	if res.code == 2 {
		t.Fatalf("exit 2: %s", res.stderr)
	}
	var read []string
	for _, f := range readReport(t, out).Files {
		read = append(read, f.File)
	}
	if want := []string{"COMMANDES_2026-W08_R012.CSV", "commandes_2026-W07_R012.csv"}; !slices.Equal(read, want) {
		t.Errorf("files read %q, want %q", read, want)
	}
}

// Opening an input never blocks: a FIFO without a writer named clients.csv (in a folder,
// or given alone) is refused at once with one line naming it, where open(2) used to
// wait for a writer for ever.
func TestInputNeverBlocks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"intervenants.csv", "projets.csv", "affectations.csv"} {
		copyFile(t, filepath.Join("testdata/small", f), filepath.Join(dir, f))
	}
	fifo := filepath.Join(dir, "clients.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, input := range []string{dir, fifo} {
		res := runWithin(t, 30*time.Second, noDatabase, "migration", "-dry-run", "-out", t.TempDir(), input)
		oneLine(t, input, res, fifo, "named pipe")
	}
	// The same stream through stdin is read.
	data, _ := os.ReadFile("testdata/small/clients.csv")
	res := progtest.Run(t, noDatabase, data, "migration", "-dry-run", "-out", t.TempDir(), "-entity", "clients", "-")
	if res.Code == 2 {
		t.Errorf("stdin: exit 2: %s", res.Stderr)
	}
}

// Inputs that are not what they seem get a line saying what they are, not "missing
// clients.csv": a symbolic link loop, a folder named clients.csv given as a file, two
// names that differ only by case. Names in a folder match without regard to case, as a
// single file's name does.
func TestInputErrorsSayWhatTheyAre(t *testing.T) {
	t.Parallel()
	small := func(t *testing.T, skip string) string {
		dir := t.TempDir()
		for _, f := range []string{"clients.csv", "intervenants.csv", "projets.csv", "affectations.csv"} {
			if f != skip {
				copyFile(t, filepath.Join("testdata/small", f), filepath.Join(dir, f))
			}
		}
		return dir
	}
	dryRun := func(t *testing.T, input string) result {
		return runWithin(t, time.Minute, noDatabase, "migration", "-dry-run", "-today", "2026-11-15", "-out", t.TempDir(), input)
	}
	t.Run("symlink loop", func(t *testing.T) {
		dir := small(t, "clients.csv")
		os.Symlink("clients.csv", filepath.Join(dir, "clients.csv"))
		oneLine(t, "loop", dryRun(t, dir), "clients.csv", "symbolic link loop")
	})
	t.Run("folder named clients.csv", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "clients.csv")
		os.Mkdir(dir, 0o755)
		res := dryRun(t, dir)
		oneLine(t, "folder", res, "clients.csv is a directory, not a file")
		if strings.Contains(res.stderr, "missing") {
			t.Errorf("the error speaks of a missing file: %s", res.stderr)
		}
	})
	t.Run("Clients.CSV", func(t *testing.T) {
		dir := small(t, "clients.csv")
		copyFile(t, "testdata/small/clients.csv", filepath.Join(dir, "Clients.CSV"))
		out := t.TempDir()
		res := runWithin(t, time.Minute, noDatabase, "migration", "-dry-run", "-today", "2026-11-15", "-out", out, dir)
		if res.code == 2 {
			t.Fatalf("exit 2: %s", res.stderr)
		}
		if f := readReport(t, out).Files[0]; f.File != "Clients.CSV" || f.Read != 5 {
			t.Errorf("first file read: %s, %d rows; want Clients.CSV and its 5 rows", f.File, f.Read)
		}
	})
	t.Run("clients.csv and Clients.CSV", func(t *testing.T) {
		dir := small(t, "")
		copyFile(t, "testdata/small/clients.csv", filepath.Join(dir, "Clients.CSV"))
		oneLine(t, "both", dryRun(t, dir), `"Clients.CSV" and "clients.csv" differ only by case`)
	})
}

// A file whose name is Latin-1 (not UTF-8) loads without being renamed: its name is
// recorded with the odd byte escaped (\xe9) in the journal's command line, the file
// rows and the lineage, where it used to stop the run with Error 1366 on journal.args.
func TestLatin1FileName(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	dir := t.TempDir()
	name := "clients_\xe9t\xe9.csv"
	data := "id_client,nom,secteur,email,telephone,ville,date_creation\n1,Acme,,a@acme.fr,,Lyon,2020-01-01\n2,Beta,,b@beta.fr,,Paris,2021-01-01\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	res := migration(t, dsn, "-out", out, filepath.Join(dir, name))
	if res.code != 0 {
		t.Fatalf("exit %d, want 0: %s", res.code, res.stderr)
	}
	db := openDB(t, dsn)
	const recorded = `clients_\xe9t\xe9.csv`
	if n := count(t, db, "SELECT COUNT(*) FROM clients WHERE source_file = ?", recorded); n != 2 {
		t.Errorf("%d clients with source_file %s, want 2", n, recorded)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM journal_files WHERE file = ? AND sha256 IS NOT NULL", recorded); n != 1 {
		t.Errorf("journal_files: %d complete rows for %s, want 1", n, recorded)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM journal WHERE INSTR(args, ?) > 0", recorded); n != 1 {
		t.Errorf("journal.args does not hold %s", recorded)
	}
	res = migration(t, dsn, "-out", out, filepath.Join(dir, name))
	if res.code != 0 || !strings.Contains(res.stderr, "1 files skipped") {
		t.Errorf("rerun: exit %d, want 0 and the file skipped: %s", res.code, res.stderr)
	}
}

// Rejected rows are written in their input's dialect: a French Excel export (';',
// Windows-1252, CRLF) gets its rejects with ';' and CRLF, in UTF-8 with a BOM (what
// Excel needs to read UTF-8), and they read back as the rows that came in. Fed back,
// they are the same rejections again.
func TestRejectsInTheInputDialect(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	dir := t.TempDir()
	text := "id_client;nom;secteur;email;telephone;ville;date_creation\r\n" +
		"1;Société Générale;Banque;contact@sg.fr;;Paris;2020-01-01\r\n" +
		"2;\"Café; Crème\";Restauration;pas-un-email;;Orléans;2020-01-01\r\n" +
		"3;Élan;;e@elan.fr;;Nîmes;31/02/2020\r\n"
	latin1, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "clients.csv")
	if err := os.WriteFile(in, []byte(latin1), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if res := migration(t, dsn, "-out", out, in); res.code != 1 {
		t.Fatalf("exit %d, want 1: %s", res.code, res.stderr)
	}
	rejects := filepath.Join(out, "rejets", "clients.csv")
	raw, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("\uFEFFid_client;nom;")) {
		t.Errorf("rejects start %q, want a BOM and the input's ';'", raw[:min(len(raw), 20)])
	}
	if n, crlf := bytes.Count(raw, []byte("\n")), bytes.Count(raw, []byte("\r\n")); n != 3 || crlf != 3 {
		t.Errorf("rejects: %d line ends, %d CRLF; want 3 CRLF", n, crlf)
	}
	rows := readCSV(t, rejects)
	want := [][]string{
		{"2", "Café; Crème", "Restauration", "pas-un-email", "", "Orléans", "2020-01-01"},
		{"3", "Élan", "", "e@elan.fr", "", "Nîmes", "31/02/2020"},
	}
	for i, w := range want {
		if i+1 >= len(rows) || !slices.Equal(rows[i+1][:7], w) {
			t.Errorf("rejected row %d reads back as %q, want %q", i+1, rows[min(i+1, len(rows)-1)], w)
		}
	}
	// Fed back with the same -out: the same rows rejected the same way.
	res := migration(t, dsn, "-out", out, rejects)
	if res.code != 1 || !strings.Contains(res.stderr, "rejected 2,") {
		t.Errorf("fed back: exit %d, want 1 and 2 rejected: %s", res.code, res.stderr)
	}
	if again := readCSV(t, rejects); len(again) != 3 || !slices.Equal(again[1][:7], want[0]) {
		t.Errorf("fed back, the rejects read %q", again)
	}
}

// Each run's report is kept: a rerun with the same -out keeps the report it replaces
// as rapport_reprise.<run_id>.txt/.json under the id of the run that wrote it, and the
// latest run's report is under the fixed name.
func TestReportsKeptPerRun(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	if res := migration(t, dsn, "-out", out, "testdata/small"); res.code != 1 {
		t.Fatalf("first run: exit %d: %s", res.code, res.stderr)
	}
	first := readReport(t, out)
	if res := migration(t, dsn, "-out", out, "testdata/small"); res.code != 0 {
		t.Fatalf("second run: exit %d: %s", res.code, res.stderr)
	}
	second := readReport(t, out)
	if second.RunID == first.RunID {
		t.Fatalf("both runs have id %s", first.RunID)
	}
	kept := t.TempDir()
	for _, ext := range []string{".txt", ".json"} {
		path := filepath.Join(out, "rapport_reprise."+first.RunID+ext)
		data, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(data), first.RunID) {
			t.Errorf("the first run's report is not kept as %s (%v)", path, err)
		}
		copyFile(t, path, filepath.Join(kept, "rapport_reprise"+ext))
	}
	if again := readReport(t, kept); again.RunID != first.RunID || again.Totals.Inserted == 0 {
		t.Errorf("kept report: run %s, %d inserted; want the first run's", again.RunID, again.Totals.Inserted)
	}
	if m, _ := filepath.Glob(filepath.Join(out, "rapport_reprise.*.json")); len(m) != 1 {
		t.Errorf("kept reports %v, want the first run's only", m)
	}
}

// rejections_latest tells the rows still rejected from history: each rerun of a file
// records its rejections again, the view keeps those of the latest run that read each
// file to its end.
func TestRejectionsLatest(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	db := openDB(t, dsn)
	out := t.TempDir()
	// No projets nor intervenants yet: every affectation is rejected, twice.
	for range 2 {
		if res := migration(t, dsn, "-out", out, "testdata/small/affectations.csv"); res.code == 2 {
			t.Fatalf("exit 2: %s", res.stderr)
		}
	}
	all := count(t, db, "SELECT COUNT(*) FROM rejections WHERE file = 'affectations.csv'")
	latest := count(t, db, "SELECT COUNT(*) FROM rejections_latest WHERE file = 'affectations.csv'")
	if all != 10 || latest != 5 {
		t.Errorf("after two runs: %d rejections, %d latest; want 10 and 5", all, latest)
	}
	// The parents arrive: the affectations judged again load, but for the ones still wrong.
	if res := migration(t, dsn, "-out", out, "testdata/small"); res.code == 2 {
		t.Fatalf("exit 2: %s", res.stderr)
	}
	last := readReport(t, out).RunID
	want := count(t, db, "SELECT COUNT(*) FROM rejections WHERE run_id = ?", last)
	if n := count(t, db, "SELECT COUNT(*) FROM rejections_latest"); n != want || want == 0 {
		t.Errorf("rejections_latest holds %d rows, want the %d of the latest run", n, want)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM rejections_latest WHERE run_id <> ?", last); n != 0 {
		t.Errorf("rejections_latest holds %d rows of earlier runs", n)
	}
	// The README's query: still rejected, per file.
	if n := count(t, db, "SELECT COUNT(*) FROM (SELECT file, COUNT(*) FROM rejections_latest GROUP BY file) f"); n == 0 {
		t.Errorf("the README's query over rejections_latest gives no file")
	}
	if n := count(t, db, "SELECT COUNT(*) FROM rejections_latest WHERE sha256 IS NULL"); n != 0 {
		t.Errorf("%d rows of rejections_latest without the file's SHA-256", n)
	}
}

// oversizedClients writes a clients.csv of n clean rows, with at line 3 a client whose
// name is huge bytes long and at line 4 one whose id is 70,000 digits.
func oversizedClients(t *testing.T, n, huge int) (dir string, bigLine string) {
	t.Helper()
	dir = t.TempDir()
	var b bytes.Buffer
	b.WriteString("id_client,nom,secteur,email,telephone,ville,date_creation\n")
	fmt.Fprintf(&b, "1,Client 1,,c1@example.fr,,Lyon,2015-01-01\n")
	bigLine = "999999," + strings.Repeat("N", huge) + ",,big@example.fr,,Lyon,2015-01-01"
	b.WriteString(bigLine + "\n")
	fmt.Fprintf(&b, "%s,Long Id,,long@example.fr,,Lyon,2015-01-01\n", strings.Repeat("7", 70000))
	for k := 2; k <= n; k++ {
		fmt.Fprintf(&b, "%d,Client %d,,c%d@example.fr,,Lyon,2015-01-01\n", k, k, k)
	}
	if err := os.WriteFile(filepath.Join(dir, "clients.csv"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, bigLine
}

// checkOversized runs migration over oversizedClients and checks that the two
// oversized rows are rejected, alone, their texts stored cut to fit with their whole
// sizes recorded, and kept whole in the rejects file; every other row loads.
func checkOversized(t *testing.T, dsn string, n, huge, packet int) {
	dir, bigLine := oversizedClients(t, n, huge)
	out := t.TempDir()
	res := migration(t, dsn, "-out", out, filepath.Join(dir, "clients.csv"))
	if res.code != 1 || !strings.Contains(res.stderr, fmt.Sprintf("inserted %d, rejected 2,", n)) {
		t.Fatalf("exit %d, want 1 with %d inserted and 2 rejected: %s", res.code, n, res.stderr)
	}
	db := openDB(t, dsn)
	if got := count(t, db, "SELECT COUNT(*) FROM clients"); got != n {
		t.Errorf("%d clients loaded, want %d", got, n)
	}
	var raw, rawBytes, detail, detailBytes int
	var codes string
	if err := db.QueryRow("SELECT codes, LENGTH(raw), COALESCE(raw_bytes, LENGTH(raw)) FROM rejections WHERE line = 3").Scan(&codes, &raw, &rawBytes); err != nil {
		t.Fatal(err)
	}
	// A line longer than a record may be (csvfile.MaxLineBytes) is MALFORMED_ROW; a
	// shorter one that is too long for its column, TOO_LONG. Either way raw_bytes is the
	// whole line's size.
	wantCode := "TOO_LONG"
	if len(bigLine) > csvfile.MaxLineBytes {
		wantCode = "MALFORMED_ROW"
	}
	if codes != wantCode || rawBytes != len(bigLine) || raw >= len(bigLine) || raw > packet/4 {
		t.Errorf("line 3: %s, raw stored %d bytes, raw_bytes %d; want %s, cut under %d bytes, %d in all",
			codes, raw, rawBytes, wantCode, packet/4, len(bigLine))
	}
	if err := db.QueryRow("SELECT codes, LENGTH(detail), COALESCE(detail_bytes, 0) FROM rejections WHERE line = 4").Scan(&codes, &detail, &detailBytes); err != nil {
		t.Fatal(err)
	}
	if codes != "BAD_INTEGER" || detail > 65535 || detailBytes <= detail {
		t.Errorf("line 4: %s, detail %d bytes stored of %d; want BAD_INTEGER, cut to fit TEXT", codes, detail, detailBytes)
	}
	// Read with encoding/csv: a line holding a whole record longer than MaxLineBytes, plus
	// its other columns, is longer than the toolkit's reader takes (fed back, it stays
	// MALFORMED_ROW).
	f, err := os.Open(filepath.Join(out, "rejets", "clients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	whole := len(rows) == 3 && len(rows[2][0]) == 70000
	if len(bigLine) > csvfile.MaxLineBytes {
		whole = whole && rows[1][len(rows[1])-1] == bigLine // its whole text in _raw
	} else {
		whole = whole && len(rows[1][1]) == huge
	}
	if !whole {
		t.Errorf("the rejects file does not keep the rows (%d rows)", len(rows))
	}
}

// An oversized row is one rejection, not a run the server refuses: a 50 MB line (its
// raw text beyond max_allowed_packet used to reset the connection, every rerun) and a
// 70,000-digit id (its detail beyond TEXT: Error 1406) on the shared server.
func TestOversizedRows(t *testing.T) {
	t.Parallel()
	checkOversized(t, mariadbtest.NewDatabase(t), 50, 50<<20, 16<<20)
}

// The same on a server with max_allowed_packet=1M (a private one: the shared server's
// settings are never changed): a 2 MB line used to give Error 1153. The batch of
// accepted rows is larger than the packet too, and loads.
func TestOversizedRowsSmallPacket(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabaseOn(t, mariadbtest.StartServer(t, "--max-allowed-packet=1M").DSN)
	checkOversized(t, dsn, 20000, 2<<20, 1<<20)
}

// A line too long for the reader to hold is copied whole into the rejects file, decoded
// as the reader decodes a line (here a Windows-1252 line in a UTF-8 file), from the file
// read again; from stdin, which cannot be read again, its row keeps the start read and
// _errors says so. No database: -dry-run writes the rejects file too.
func TestOversizedRowWholeInRejects(t *testing.T) {
	t.Parallel()
	dir, _ := oversizedClients(t, 3, 10)
	big := "999998,\xe9" + strings.Repeat("N\xe9", 3<<20) + ",,big@example.fr,,Lyon,2015-01-01"
	want := strings.ReplaceAll(big, "\xe9", "é")
	data, err := os.ReadFile(filepath.Join(dir, "clients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, big+"\r\n5,Client 5,,c5@example.fr,,Lyon,2015-01-01\n"...)
	if err := os.WriteFile(filepath.Join(dir, "clients.csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	lastRaw := func(rejects []byte) (raw, errs string) {
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rejects, []byte("\uFEFF")))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("rejects file: %d rows, %v", len(rows), err)
		}
		r := rows[len(rows)-1]
		return r[len(r)-1], r[len(r)-2]
	}
	out := t.TempDir()
	res := progtest.Run(t, noDatabase, nil, "migration", "-dry-run", "-out", out, filepath.Join(dir, "clients.csv"))
	rejects, err := os.ReadFile(filepath.Join(out, "rejets", "clients.csv"))
	if res.Code != 1 || err != nil {
		t.Fatalf("exit %d, rejects file %v: %s", res.Code, err, res.Stderr)
	}
	if raw, errs := lastRaw(rejects); raw != want || !strings.Contains(errs, "MALFORMED_ROW") {
		t.Errorf("file: _raw of %d bytes (whole: %v), want %d; _errors %.200q", len(raw), raw == want, len(want), errs)
	}

	res = progtest.Run(t, noDatabase, data, "migration", "-dry-run", "-out", t.TempDir(), "-entity", "clients", "-rejects", "-", "-")
	raw, errs := lastRaw([]byte(res.Stdout))
	if res.Code != 1 || len(raw) >= len(want) || len(raw) < csvfile.MaxLineBytes-4 || !strings.HasPrefix(want, raw) ||
		!strings.Contains(errs, "cannot be read again") {
		t.Errorf("stdin: exit %d, _raw of %d bytes (a prefix: %v), _errors %.300q; want its start, said so",
			res.Code, len(raw), strings.HasPrefix(want, raw), errs)
	}
}
