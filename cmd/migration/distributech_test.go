package main

import (
	"database/sql"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"dmt/pkg/csvfile"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

const dtToday = "2026-11-15"

// distributechData generates a distributech folder of weeks weekly order files.
func distributechData(t *testing.T, seed string, weeks int, defects string) string {
	t.Helper()
	dir := t.TempDir()
	res := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", seed, "-today", dtToday,
		"-revendeurs", "25", "-produits", "120", "-weeks", strconv.Itoa(weeks), "-defects", defects, "-out", dir)
	if res.Code != 0 {
		t.Fatalf("generate_data: %s", res.Stderr)
	}
	return dir
}

func dtMigration(t *testing.T, dsn, dir string) result {
	t.Helper()
	return runProg(t, nil, "migration", "-dsn", dsn, "-domain", "distributech", "-today", dtToday, "-out", t.TempDir(), dir)
}

// TestDistributechEndToEnd generates, migrates, validates and exports, and checks the
// export's figures against totals computed here from the source files alone, leaving
// out the rows the manifest says are rejected or ignored.
func TestDistributechEndToEnd(t *testing.T) {
	t.Parallel()
	dir := distributechData(t, "3", 6, "0.04")
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	res := runProg(t, nil, "migration", "-dsn", dsn, "-domain", "distributech", "-today", dtToday, "-out", out, dir)
	if res.code != 1 {
		t.Fatalf("migration: exit %d: %s", res.code, res.stderr)
	}
	rep := readReport(t, out)
	checkManifest(t, filepath.Join(dir, "defects.csv"), out, rep)

	if v := runProg(t, nil, "validate", "-dsn", dsn, "-domain", "distributech", "-out", t.TempDir()); v.code != 0 {
		t.Errorf("validate: exit %d: %s", v.code, v.stderr)
	}

	// What the stock must be, from the sources: rows the manifest keeps out are skipped.
	skip := map[string]bool{}
	for _, m := range readCSV(t, filepath.Join(dir, "defects.csv"))[1:] {
		if m[5] != "accept" {
			skip[m[0]+"#"+m[1]] = true
		}
	}
	type totals struct {
		initial, receipts, orders int
		inventoried               bool // its snapshot row was accepted
	}
	want := map[string]*totals{}
	get := func(ref string) *totals {
		if want[ref] == nil {
			want[ref] = &totals{}
		}
		return want[ref]
	}
	lite, err := sql.Open("sqlite", filepath.Join(dir, "distributech.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	sum := func(table, cols string, add func(ref string, q int)) {
		rows, err := lite.Query("SELECT " + cols + " FROM " + table + " ORDER BY rowid")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for line := 2; rows.Next(); line++ {
			var ref string
			var q int
			if err := rows.Scan(&ref, &q); err != nil {
				t.Fatal(err)
			}
			if !skip["distributech.sqlite:"+table+"#"+strconv.Itoa(line)] {
				add(ref, q)
			}
		}
	}
	sum("produits", "ref_produit, 0", func(ref string, _ int) { get(ref) })
	sum("stock", "ref_produit, quantite", func(ref string, q int) { get(ref).initial += q; get(ref).inventoried = true })
	sum("receptions", "ref_produit, quantite", func(ref string, q int) { get(ref).receipts += q })
	files, _ := filepath.Glob(filepath.Join(dir, "commandes", "*.csv"))
	for _, f := range files {
		in, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := csvfile.NewReader(in)
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil { // a malformed line: the manifest lists it
				continue
			}
			if !skip[filepath.Base(f)+"#"+strconv.Itoa(rec.Line)] {
				q, _ := strconv.Atoi(rec.Fields[4])
				get(rec.Fields[3]).orders += q
			}
		}
		in.Close()
	}

	exportDir := t.TempDir()
	csvPath := filepath.Join(exportDir, "etat_stock_par_produit.csv")
	if a := runProg(t, nil, "analyse_stock", "-dsn", dsn, "-at", dtToday, "-out", exportDir); a.code != 0 {
		t.Fatalf("analyse_stock: exit %d: %s", a.code, a.stderr)
	}
	export := readCSV(t, csvPath)
	wantHeader := "ref_produit,nom,categorie,stock_initial,total_receptions,total_commandes,stock_actuel,seuil_alerte,statut,date_etat,prix_unitaire"
	if strings.Join(export[0], ",") != wantHeader {
		t.Fatalf("export header %q", export[0])
	}
	seen := 0
	for _, r := range export[1:] {
		w := want[r[0]]
		if w == nil {
			t.Errorf("%s exported but not a loaded product", r[0])
			continue
		}
		seen++
		initial, _ := strconv.Atoi(r[3])
		receipts, _ := strconv.Atoi(r[4])
		orders, _ := strconv.Atoi(r[5])
		current, _ := strconv.Atoi(r[6])
		seuil, _ := strconv.Atoi(r[7])
		if initial != w.initial || receipts != w.receipts || orders != w.orders || current != w.initial+w.receipts-w.orders {
			t.Errorf("%s: exported %d/%d/%d/%d, sources say %d/%d/%d/%d", r[0], initial, receipts, orders, current,
				w.initial, w.receipts, w.orders, w.initial+w.receipts-w.orders)
		}
		status := "OK"
		if !w.inventoried {
			status = "SANS_INVENTAIRE"
		} else if current <= 0 {
			status = "RUPTURE"
		} else if current <= seuil {
			status = "SOUS_SEUIL"
		}
		if r[8] != status || r[9] != dtToday {
			t.Errorf("%s: statut %s date %s, want %s %s", r[0], r[8], r[9], status, dtToday)
		}
	}
	if seen != len(want) || seen < 100 {
		t.Errorf("%d products exported, %d loaded", seen, len(want))
	}
}

// TestDistributechIncremental: weeks 1-4, then 1-6, give the same database as 1-6 at once.
func TestDistributechIncremental(t *testing.T) {
	t.Parallel()
	full := distributechData(t, "4", 6, "0.04")
	early := t.TempDir()
	os.MkdirAll(filepath.Join(early, "commandes"), 0o755)
	data, _ := os.ReadFile(filepath.Join(full, "distributech.sqlite"))
	os.WriteFile(filepath.Join(early, "distributech.sqlite"), data, 0o644)
	files, _ := filepath.Glob(filepath.Join(full, "commandes", "*.csv"))
	weeks := map[string]bool{}
	for _, f := range files {
		weeks[strings.Split(filepath.Base(f), "_")[1]] = true
	}
	if len(weeks) != 6 {
		t.Fatalf("%d weeks generated, want 6", len(weeks))
	}
	sorted := slices.Sorted(maps.Keys(weeks))
	copied := 0
	for _, f := range files {
		if w := strings.Split(filepath.Base(f), "_")[1]; w <= sorted[3] {
			b, _ := os.ReadFile(f)
			os.WriteFile(filepath.Join(early, "commandes", filepath.Base(f)), b, 0o644)
			copied++
		}
	}
	twice, once := mariadbtest.NewDatabase(t), mariadbtest.NewDatabase(t)
	if r := dtMigration(t, twice, early); r.code > 1 {
		t.Fatal(r.stderr)
	}
	second := dtMigration(t, twice, full)
	if second.code > 1 {
		t.Fatal(second.stderr)
	}
	if r := dtMigration(t, once, full); r.code > 1 {
		t.Fatal(r.stderr)
	}
	a, b := dtContent(t, twice), dtContent(t, once)
	if a != b {
		t.Errorf("weeks 1-4 then 1-6 differ from 1-6 at once")
	}
	if !strings.Contains(a, "commande") || copied == 0 || copied == len(files) {
		t.Fatalf("nothing to compare: %d of %d files in the first run", copied, len(files))
	}
}

// dtContent is the business content of a distributech database, lineage aside.
func dtContent(t *testing.T, dsn string) string {
	t.Helper()
	return dump(t, openDB(t, dsn),
		"SELECT id_region, nom FROM regions ORDER BY 1",
		"SELECT id_revendeur, nom, id_region, email, ville FROM revendeurs ORDER BY 1",
		"SELECT ref_produit, nom, categorie, prix_unitaire, seuil_alerte FROM produits ORDER BY 1",
		"SELECT ref_produit, quantite, date_inventaire FROM stock ORDER BY 1",
		"SELECT id_reception, ref_produit, quantite, date_reception FROM receptions ORDER BY 1",
		"SELECT numero_commande, id_revendeur, date_commande FROM commandes ORDER BY 1",
		"SELECT numero_commande, ref_produit, id_revendeur, date_commande, quantite, prix_unitaire FROM lignes_commande ORDER BY 1, 2",
		"SELECT ref_produit, date_mouvement, type_mouvement, reference, quantite FROM mouvements_stock ORDER BY 1, 2, 3, 4")
}

// TestDistributechWeekly is the weekly job: weeks 1-4 are loaded, then the folder holds
// weeks 1-5 (week 5 clean), then 1-6 (week 6 with its defects). Old files loaded whole
// are skipped; old files with rejections are judged again and their rejections reported
// as still rejected, not as new problems; the exit status is 0 when the new week is
// clean and 1 only for the new week's rejections; log.txt summarises rows already
// loaded instead of one line each.
func TestDistributechWeekly(t *testing.T) {
	t.Parallel()
	full := distributechData(t, "5", 6, "0.04")
	files, _ := filepath.Glob(filepath.Join(full, "commandes", "*.csv"))
	weekOf := func(f string) string { return strings.Split(filepath.Base(f), "_")[1] }
	weeks := map[string]bool{}
	for _, f := range files {
		weeks[weekOf(f)] = true
	}
	sorted := slices.Sorted(maps.Keys(weeks))
	if len(sorted) != 6 {
		t.Fatalf("%d weeks generated, want 6", len(sorted))
	}
	rejectedLines := map[string]map[int]bool{} // file -> lines the manifest rejects
	for _, m := range readCSV(t, filepath.Join(full, "defects.csv"))[1:] {
		if m[5] == "reject" {
			if rejectedLines[m[0]] == nil {
				rejectedLines[m[0]] = map[int]bool{}
			}
			line, _ := strconv.Atoi(m[1])
			rejectedLines[m[0]][line] = true
		}
	}
	rejectsOfWeek := func(w string) int {
		n := 0
		for f, lines := range rejectedLines {
			if strings.Contains(f, "_"+w+"_") {
				n += len(lines)
			}
		}
		return n
	}
	if rejectsOfWeek(sorted[4]) == 0 || rejectsOfWeek(sorted[5]) == 0 {
		t.Fatalf("weeks 5 and 6 hold %d and %d rejected lines; the scenario needs some", rejectsOfWeek(sorted[4]), rejectsOfWeek(sorted[5]))
	}

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "commandes"), 0o755)
	copyFile := func(from, to string, clean bool) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if clean { // leave out the lines the manifest says are rejected
			lines := strings.SplitAfter(string(b), "\n")
			var kept []string
			for i, l := range lines {
				if !rejectedLines[filepath.Base(from)][i+1] {
					kept = append(kept, l)
				}
			}
			b = []byte(strings.Join(kept, ""))
		}
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	addWeek := func(w int, clean bool) {
		for _, f := range files {
			if weekOf(f) == sorted[w] {
				copyFile(f, filepath.Join(dir, "commandes", filepath.Base(f)), clean)
			}
		}
	}
	copyFile(filepath.Join(full, "distributech.sqlite"), filepath.Join(dir, "distributech.sqlite"), false)
	for w := range 4 {
		addWeek(w, false)
	}
	dsn := mariadbtest.NewDatabase(t)
	run := func() (result, jsonReport, string) {
		t.Helper()
		out := t.TempDir()
		res := runProg(t, nil, "migration", "-dsn", dsn, "-domain", "distributech", "-today", dtToday, "-out", out, dir)
		logText, err := os.ReadFile(filepath.Join(out, "log.txt"))
		if err != nil {
			t.Fatal(err)
		}
		return res, readReport(t, out), string(logText)
	}
	first, rep1, _ := run()
	if first.code != 1 {
		t.Fatalf("weeks 1-4: exit %d, want 1: %s", first.code, first.stderr)
	}
	rejected1 := map[string]int{}
	for _, f := range rep1.Files {
		rejected1[f.File] = f.Rejected
	}

	// Weeks 1-5, week 5 clean: nothing new is wrong.
	addWeek(4, true)
	second, rep2, log2 := run()
	if second.code != 0 {
		t.Errorf("weeks 1-5 (week 5 clean): exit %d, want 0: %s", second.code, second.stderr)
	}
	if want := fmt.Sprintf("%d rows still rejected", rep1.Totals.Rejected); !strings.Contains(second.stderr, want) {
		t.Errorf("weeks 1-5: stderr %q lacks %q", second.stderr, want)
	}
	skipped := 0
	for _, f := range rep2.Files {
		old, seen := rejected1[f.File]
		switch {
		case !seen: // week 5
			if f.State != "complete" || f.Rejected != 0 || f.Inserted == 0 {
				t.Errorf("weeks 1-5: new %s: %s, inserted %d, rejected %d", f.File, f.State, f.Inserted, f.Rejected)
			}
		case old == 0:
			skipped++
			if f.State != "skipped" || f.Read != 0 || f.UnchangedSince != rep1.RunID {
				t.Errorf("weeks 1-5: clean %s: %s, read %d, unchanged since %q; want skipped since %s", f.File, f.State, f.Read, f.UnchangedSince, rep1.RunID)
			}
		default:
			if f.State != "complete" || f.Rejected != old || f.StillRejected != old || f.Inserted != 0 {
				t.Errorf("weeks 1-5: %s: %s, inserted %d, rejected %d, still %d; want complete, 0, %d, %d", f.File, f.State, f.Inserted, f.Rejected, f.StillRejected, old, old)
			}
		}
	}
	if skipped == 0 || rep2.FilesSkipped != skipped {
		t.Errorf("weeks 1-5: %d files skipped in the report, %d expected", rep2.FilesSkipped, skipped)
	}
	for _, l := range strings.Split(log2, "\n") {
		if strings.Contains(l, "ALREADY_LOADED") && !strings.Contains(l, " rows=") {
			t.Errorf("weeks 1-5: log.txt has a line per row already loaded: %s", l)
			break
		}
	}
	if strings.Count(log2, "action=rejected") != 0 || strings.Count(log2, "action=still_rejected") != rep1.Totals.Rejected {
		t.Errorf("weeks 1-5: log has %d rejected and %d still_rejected lines, want 0 and %d",
			strings.Count(log2, "action=rejected"), strings.Count(log2, "action=still_rejected"), rep1.Totals.Rejected)
	}

	// Weeks 1-6, week 6 as sent: exit 1 for week 6's rejections only.
	addWeek(5, false)
	third, rep3, _ := run()
	newWant := rejectsOfWeek(sorted[5])
	if third.code != 1 || !strings.Contains(third.stderr, fmt.Sprintf("%d new rows rejected", newWant)) {
		t.Errorf("weeks 1-6: exit %d, want 1 and %d new rows rejected: %s", third.code, newWant, third.stderr)
	}
	if rep3.Totals.Rejected-rep3.Totals.StillRejected != newWant || rep3.Totals.StillRejected != rep1.Totals.Rejected {
		t.Errorf("weeks 1-6: rejected %d, still %d; want %d new and %d still", rep3.Totals.Rejected, rep3.Totals.StillRejected, newWant, rep1.Totals.Rejected)
	}
}
