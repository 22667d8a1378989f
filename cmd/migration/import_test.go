package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// weeklyImport is one installation of scripts/import_commandes.sh: its folder, its
// DSN file and its database.
type weeklyImport struct {
	t       *testing.T
	dir     string
	dsnFile string
	dsn     string
}

func newWeeklyImport(t *testing.T, sqlite string) *weeklyImport {
	t.Helper()
	w := &weeklyImport{t: t, dir: t.TempDir(), dsn: mariadbtest.NewDatabase(t)}
	w.dsnFile = filepath.Join(t.TempDir(), "distributech.dsn")
	if err := os.WriteFile(w.dsnFile, []byte(w.dsn+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sqlite)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(w.dir, "inbox"), 0o755)
	if err := os.WriteFile(filepath.Join(w.dir, "distributech.sqlite"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// command is the script as cron runs it: a bare environment (the test hooks aside).
func (w *weeklyImport) command(env ...string) *exec.Cmd {
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		w.t.Fatal(err)
	}
	args := append([]string{"-i", "PATH=/usr/bin:/bin", progtest.CoverEnv(), "DMT_BIN=" + progtest.Bin}, env...)
	args = append(args, "/bin/bash", filepath.Join(root, "scripts", "import_commandes.sh"), w.dsnFile, w.dir)
	return exec.Command("/usr/bin/env", args...)
}

func (w *weeklyImport) run(env ...string) progtest.Result {
	w.t.Helper()
	cmd := w.command(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode() // -1 when killed
	} else if err != nil {
		w.t.Fatal(err)
	}
	return progtest.Result{Code: code, Stdout: out.String(), Stderr: errb.String()}
}

// drop puts generated weekly files into the inbox as a reseller does: written as
// NAME.part, then renamed.
func (w *weeklyImport) drop(files ...string) {
	w.t.Helper()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			w.t.Fatal(err)
		}
		part := filepath.Join(w.dir, "inbox", filepath.Base(f)+".part")
		if err := os.WriteFile(part, data, 0o644); err != nil {
			w.t.Fatal(err)
		}
		if err := os.Rename(part, strings.TrimSuffix(part, ".part")); err != nil {
			w.t.Fatal(err)
		}
	}
}

// count runs a COUNT(*) query on the import's database.
func (w *weeklyImport) count(query string) int {
	w.t.Helper()
	db := openDB(w.t, w.dsn)
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// archived lists the files under archive/, as YEAR/NAME.
func (w *weeklyImport) archived() []string {
	var names []string
	paths, _ := filepath.Glob(filepath.Join(w.dir, "archive", "*", "*"))
	for _, p := range paths {
		rel, _ := filepath.Rel(filepath.Join(w.dir, "archive"), p)
		names = append(names, rel)
	}
	sort.Strings(names)
	return names
}

func (w *weeklyImport) importLog() string {
	data, _ := os.ReadFile(filepath.Join(w.dir, "out", "import.log"))
	return string(data)
}

// orderLines counts the data rows of weekly files.
func orderLines(t *testing.T, files ...string) int {
	n := 0
	for _, f := range files {
		n += len(progtest.ReadCSV(t, f)) - 1
	}
	return n
}

// childOf returns the pid of the process named comm whose parent is ppid, or 0.
func childOf(ppid int, comm string) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(stat)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < 0 || s[open+1:close] != comm {
			continue
		}
		fields := strings.Fields(s[close+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(ppid) {
			return pid
		}
	}
	return 0
}

// TestWeeklyImport runs scripts/import_commandes.sh as cron would, week after week:
// new files are loaded and archived, a partial file is left alone until complete, a
// file sent again is archived without being loaded again, a file with an unusable
// header is refused, two runs never overlap, and a run killed at several points
// (before the load, after it, while archiving, its migration killed mid-load) is
// finished by the next with every order line loaded once and every file archived.
// The exit status of each run is checked, and a clean run prints nothing. The README's
// crontab line is run through its non-interactive equivalent: the script started by
// env -i with cron's PATH, a DSN file of mode 600 and the folder as arguments.
func TestWeeklyImport(t *testing.T) {
	t.Parallel()
	gen := t.TempDir()
	today := time.Now().Format(time.DateOnly)
	res := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "11", "-today", today,
		"-revendeurs", "4", "-produits", "30", "-weeks", "6", "-out", gen)
	if res.Code != 0 {
		t.Fatalf("generate_data: %s", res.Stderr)
	}
	all, _ := filepath.Glob(filepath.Join(gen, "commandes", "*.csv"))
	byWeek := map[string][]string{}
	var weeks []string
	for _, f := range all {
		wk := strings.Split(filepath.Base(f), "_")[1]
		if byWeek[wk] == nil {
			weeks = append(weeks, wk)
		}
		byWeek[wk] = append(byWeek[wk], f)
	}
	sort.Strings(weeks)
	if len(weeks) != 6 || len(byWeek[weeks[1]]) < 2 || len(byWeek[weeks[5]]) < 2 {
		t.Fatalf("want 6 weeks of files, 2 in the second and the last at least; have %v", byWeek)
	}
	w := newWeeklyImport(t, filepath.Join(gen, "distributech.sqlite"))
	lines := func() int { return w.count("SELECT COUNT(*) FROM lignes_commande") }
	loaded := 0
	clean := func(step string, res progtest.Result) {
		t.Helper()
		if res.Code != 0 || res.Stdout != "" || res.Stderr != "" {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q; want a silent success", step, res.Code, res.Stdout, res.Stderr)
		}
	}
	checkLoaded := func(step string, files ...string) {
		t.Helper()
		loaded += orderLines(t, files...)
		if got := lines(); got != loaded {
			t.Errorf("%s: %d order lines in the database, want %d", step, got, loaded)
		}
		if got := w.count("SELECT COUNT(*) FROM mouvements_stock WHERE type_mouvement = 'commande'"); got != loaded {
			t.Errorf("%s: %d order movements, want %d", step, got, loaded)
		}
	}

	// Week 1, and the first file of week 2 still being written.
	w.drop(byWeek[weeks[0]]...)
	w2 := byWeek[weeks[1]]
	partial := filepath.Join(w.dir, "inbox", filepath.Base(w2[0])+".part")
	os.WriteFile(partial, []byte("numero_commande,id_revendeur,date_commande,ref_produit,quantite,prix_unitaire\nCMD-"), 0o644)
	clean("week 1", w.run())
	checkLoaded("week 1", byWeek[weeks[0]]...)
	if _, err := os.Stat(partial); err != nil {
		t.Errorf("the partial file was taken: %v", err)
	}
	if got := len(w.archived()); got != len(byWeek[weeks[0]]) {
		t.Errorf("week 1: %d files archived, want %d: %v", got, len(byWeek[weeks[0]]), w.archived())
	}
	for _, name := range []string{"etat_stock_par_produit.csv", "evolution_stock.csv"} {
		if _, err := os.Stat(filepath.Join(w.dir, "out", name)); err != nil {
			t.Errorf("week 1: no %s: %v", name, err)
		}
	}
	if reports, _ := filepath.Glob(filepath.Join(w.dir, "out", "rapport_validation_*.txt")); len(reports) != 1 {
		t.Errorf("week 1: validation reports %v, want one", reports)
	}

	// Week 2: the partial file completed, a file of week 1 sent again, unchanged, and
	// a file whose header is not an order file's.
	os.Remove(partial)
	w.drop(w2...)
	w.drop(byWeek[weeks[0]][0])
	os.WriteFile(filepath.Join(w.dir, "inbox", "commandes_"+weeks[1]+"_R099.csv"), []byte("reference,qty\nA,1\n"), 0o644)
	res = w.run()
	if res.Code != 1 || !strings.Contains(res.Stderr, "R099.csv refused") || !strings.Contains(res.Stderr, "missing required columns") {
		t.Errorf("week 2: exit %d, stderr %q; want 1 and the refused file named", res.Code, res.Stderr)
	}
	checkLoaded("week 2", w2...)
	if _, err := os.Stat(filepath.Join(w.dir, "refused", "commandes_"+weeks[1]+"_R099.csv")); err != nil {
		t.Errorf("the file with a bad header is not in refused/: %v", err)
	}
	again := filepath.Base(byWeek[weeks[0]][0])
	if !strings.Contains(w.importLog(), again+": already loaded whole by run") {
		t.Errorf("no log line for the file sent again:\n%s", w.importLog())
	}
	if n := len(w.archived()); n != len(byWeek[weeks[0]])+len(w2)+1 {
		t.Errorf("week 2: %d files archived, want %d (the file sent again kept beside the first): %v", n, len(byWeek[weeks[0]])+len(w2)+1, w.archived())
	}

	// Weeks 3 to 5: the run is killed before the load, after it, and while archiving;
	// the next run finishes the job.
	for i, point := range []string{"taken", "loaded", "archived"} {
		files := byWeek[weeks[2+i]]
		w.drop(files...)
		if res := w.run("DMT_TEST_KILL_AT=" + point); res.Code != -1 {
			t.Fatalf("killed at %s: exit %d (%s), want killed", point, res.Code, res.Stderr)
		}
		if left, _ := filepath.Glob(filepath.Join(w.dir, "work", "commandes", "*.csv")); len(left) == 0 {
			t.Errorf("killed at %s: nothing left in work/commandes", point)
		}
		clean("after the kill at "+point, w.run())
		checkLoaded("after the kill at "+point, files...)
		if left, _ := filepath.Glob(filepath.Join(w.dir, "work", "commandes", "*")); len(left) != 0 {
			t.Errorf("after the kill at %s: left in work/commandes: %v", point, left)
		}
	}

	// Week 6: migration is killed in the middle of the load, while a second run tries
	// to start: the second waits for the first and gives up; the next run finishes.
	files := byWeek[weeks[5]]
	w.drop(files...)
	cmd := w.command("DMT_TEST_PAUSE_AFTER_BATCH=4s")
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The load's migration (not the header checks before it) has committed a batch
	// of orders and pauses after it.
	deadline := time.Now().Add(2 * time.Minute)
	for w.count("SELECT COUNT(*) FROM journal_batches b JOIN journal j ON j.run_id = b.run_id WHERE j.status = 'running' AND b.file LIKE 'commandes%'") == 0 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no order batch committed by a running migration: %s", errb.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	child := childOf(cmd.Process.Pid, "migration")
	if child == 0 {
		cmd.Process.Kill()
		t.Fatal("no migration running under the script")
	}
	if res := w.run("DMT_LOCK_WAIT=1"); res.Code != 2 || !strings.Contains(res.Stderr, "another import still holds") {
		t.Errorf("a second run during the first: exit %d, stderr %q; want 2, waiting for the lock", res.Code, res.Stderr)
	}
	if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(errb.String(), "migration did not finish") {
		t.Errorf("migration killed: %v, stderr %q; want exit 2 saying the files stay", err, errb.String())
	}
	if got := lines(); got <= loaded || got >= loaded+orderLines(t, files...) {
		t.Errorf("migration killed after %d of the %d lines of week 6: not in the middle of the load", got-loaded, orderLines(t, files...))
	}
	clean("after migration was killed", w.run())
	checkLoaded("after migration was killed", files...)

	// Nothing lost, nothing deleted: every file generated is archived, the one sent
	// twice twice, the refused one in refused/, the partial one gone only because its
	// writer renamed it, the inbox and the work folder empty.
	if n := len(w.archived()); n != len(all)+1 {
		t.Errorf("%d files archived, want %d: %v", n, len(all)+1, w.archived())
	}
	for _, sub := range []string{"inbox", filepath.Join("work", "commandes")} {
		if left, _ := os.ReadDir(filepath.Join(w.dir, sub)); len(left) != 0 {
			t.Errorf("%s not empty: %v", sub, left)
		}
	}
	if got, want := w.count("SELECT COUNT(DISTINCT numero_commande, ref_produit) FROM lignes_commande"), lines(); got != want {
		t.Errorf("%d distinct order lines of %d", got, want)
	}
}

// The script refuses to start without its setup, in one line, exit 2: a DSN file
// others can read, a folder without the SQLite file.
func TestWeeklyImportSetup(t *testing.T) {
	t.Parallel()
	gen := t.TempDir()
	os.WriteFile(filepath.Join(gen, "x.sqlite"), nil, 0o644)
	w := newWeeklyImport(t, filepath.Join(gen, "x.sqlite"))
	os.Chmod(w.dsnFile, 0o644)
	if res := w.run(); res.Code != 2 || !strings.Contains(res.Stderr, "chmod 600") {
		t.Errorf("DSN file readable by all: exit %d, stderr %q", res.Code, res.Stderr)
	}
	os.Chmod(w.dsnFile, 0o600)
	os.Remove(filepath.Join(w.dir, "distributech.sqlite"))
	if res := w.run(); res.Code != 2 || !strings.Contains(res.Stderr, "no SQLite file") || strings.Count(res.Stderr, "\n") != 1 {
		t.Errorf("no SQLite file: exit %d, stderr %q", res.Code, res.Stderr)
	}
}
