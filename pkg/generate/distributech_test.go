package generate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
	"dmt/pkg/generate"
	"dmt/pkg/model"
	"dmt/pkg/rules"
	"dmt/pkg/sqlitesrc"
)

func distributech(seed uint64, defects float64) generate.DistributechConfig {
	return generate.DistributechConfig{Seed: seed, Regions: 5, Revendeurs: 60, Produits: 400, Weeks: 8, Defects: defects, Today: today}
}

func mustRunDistributech(tb testing.TB, cfg generate.DistributechConfig) string {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := generate.RunDistributech(context.Background(), cfg, dir); err != nil {
		tb.Fatalf("RunDistributech: %v", err)
	}
	return dir
}

// orderFiles returns the names of the order files in dir, sorted.
func orderFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, generate.OrdersDir))
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// sqliteTables returns every table of the domain in dir's SQLite file as the migration
// reads it: CSV text, columns in the entity's order, rows in rowid order.
func sqliteTables(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	f, err := sqlitesrc.Open(filepath.Join(dir, generate.DistributechSQLite))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	for _, e := range domain.Distributech().Entities {
		if e.SQLiteTable == "" {
			continue
		}
		rc := f.Table(context.Background(), e.SQLiteTable, e.Columns())
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatalf("table %s: %v", e.SQLiteTable, err)
		}
		out[e.SQLiteTable] = b
	}
	return out
}

func TestDistributechDeterministic(t *testing.T) {
	cfg := distributech(7, 0.05)
	a, b := mustRunDistributech(t, cfg), mustRunDistributech(t, cfg)
	cfg.Seed = 8
	c := mustRunDistributech(t, cfg)
	ta, tb, tc := sqliteTables(t, a), sqliteTables(t, b), sqliteTables(t, c)
	for name, x := range ta {
		if !bytes.Equal(x, tb[name]) {
			t.Errorf("table %s differs between two runs with the same seed", name)
		}
		if name != "regions" && bytes.Equal(x, tc[name]) {
			t.Errorf("table %s is the same with another seed", name)
		}
	}
	files := orderFiles(t, a)
	if len(files) < 100 {
		t.Fatalf("only %d order files written", len(files))
	}
	if other := orderFiles(t, b); !slices.Equal(files, other) {
		t.Errorf("order files differ between two runs with the same seed")
	}
	same := 0
	for _, name := range files {
		x, _ := os.ReadFile(filepath.Join(a, generate.OrdersDir, name))
		y, _ := os.ReadFile(filepath.Join(b, generate.OrdersDir, name))
		z, _ := os.ReadFile(filepath.Join(c, generate.OrdersDir, name))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
		if bytes.Equal(x, z) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d order files are the same with another seed", same)
	}
	x, _ := os.ReadFile(filepath.Join(a, "defects.csv"))
	y, _ := os.ReadFile(filepath.Join(b, "defects.csv"))
	if !bytes.Equal(x, y) {
		t.Errorf("defects.csv differs between two runs with the same seed")
	}
}

// judgeDistributech runs every table of dir's SQLite file, then every order file in name
// order, through one checker, line by line. Verdicts are keyed by the manifest's file
// names: "distributech.sqlite:produits", "commandes_2026-W46_R012.csv".
func judgeDistributech(t *testing.T, dir string, day model.Date) map[string]map[int]verdict {
	t.Helper()
	d := domain.Distributech()
	c := check.New(d, day)
	out := map[string]map[int]verdict{}
	src, err := sqlitesrc.Open(filepath.Join(dir, generate.DistributechSQLite))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, e := range d.Entities {
		if e.SQLiteTable != "" {
			rc := src.Table(context.Background(), e.SQLiteTable, e.Columns())
			out[src.Name(e.SQLiteTable)] = judgeFile(t, c, e, src.Name(e.SQLiteTable), rc)
			rc.Close()
			continue
		}
		for _, name := range orderFiles(t, dir) {
			f, err := os.Open(filepath.Join(dir, generate.OrdersDir, name))
			if err != nil {
				t.Fatal(err)
			}
			out[name] = judgeFile(t, c, e, name, f)
			f.Close()
		}
	}
	return out
}

// TestDistributechCleanPassesEveryRule: without defects, every row of every table and
// every line of every order file is accepted, whatever the day of the week.
func TestDistributechCleanPassesEveryRule(t *testing.T) {
	for _, day := range []model.Date{today, {Year: 2026, Month: time.February, Day: 11}, {Year: 2027, Month: time.January, Day: 4}} {
		cfg := distributech(3, 0)
		cfg.Today = day
		dir := mustRunDistributech(t, cfg)
		got := judgeDistributech(t, dir, day)
		rows := 0
		for file, lines := range got {
			if len(lines) == 0 && !strings.HasPrefix(file, "commandes_") {
				t.Errorf("%s: no rows", file)
			}
			for line, v := range lines {
				rows++
				if v.outcome != check.Accept {
					t.Errorf("today %s, %s line %d: %v %v, want accepted", day, file, line, v.outcome, v.codes)
				}
			}
		}
		if rows < 2000 {
			t.Errorf("today %s: only %d rows", day, rows)
		}
		if _, err := os.Stat(filepath.Join(dir, "defects.csv")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("clean run wrote defects.csv (%v)", err)
		}
	}
}

// TestDistributechShape checks what the contract and the realism of the data promise:
// file names, one file per reseller and week, orders within their week, the snapshot
// dated the day before the first week, receipts after it, some products short.
func TestDistributechShape(t *testing.T) {
	cfg := distributech(5, 0)
	dir := mustRunDistributech(t, cfg)
	name := regexp.MustCompile(`^commandes_(\d{4})-W(\d{2})_R(\d{3})\.csv$`)
	numero := regexp.MustCompile(`^CMD-(\d{4})W(\d{2})-R(\d{3})-\d{2}$`)
	weeks := map[string]bool{}
	for _, f := range orderFiles(t, dir) {
		m := name.FindStringSubmatch(f)
		if m == nil {
			t.Fatalf("order file %q: bad name", f)
		}
		weeks[m[1]+"-W"+m[2]] = true
		b, err := os.ReadFile(filepath.Join(dir, generate.OrdersDir, f))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if lines[0] != strings.Join(generate.OrderColumns, ",") {
			t.Fatalf("%s: header %q", f, lines[0])
		}
		orders := map[string]string{}
		for _, l := range lines[1:] {
			fields := strings.Split(l, ",")
			n := numero.FindStringSubmatch(fields[0])
			if n == nil || n[1] != m[1] || n[2] != m[2] || n[3] != m[3] {
				t.Fatalf("%s: order %q does not belong to the file", f, fields[0])
			}
			if fields[1] != strings.TrimLeft(m[3], "0") {
				t.Errorf("%s: reseller %s", f, fields[1])
			}
			d, err := rules.ParseDate(fields[2])
			if err != nil {
				t.Fatal(err)
			}
			if y, w := d.Time().ISOWeek(); fmt.Sprintf("%04d-W%02d", y, w) != m[1]+"-W"+m[2] {
				t.Errorf("%s: order dated %s, in another week", f, d)
			}
			orders[fields[0]] += fields[3] + " "
		}
		for o, refs := range orders {
			if n := len(strings.Fields(refs)); n < 1 || n > 8 {
				t.Errorf("%s: order %s has %d lines", f, o, n)
			}
		}
	}
	if len(weeks) != cfg.Weeks || !weeks["2026-W46"] {
		t.Errorf("weeks %v: want %d ending with 2026-W46", weeks, cfg.Weeks)
	}
	tables := sqliteTables(t, dir)
	stock := string(tables["stock"])
	if strings.Count(stock, "\n") != cfg.Produits+1 || !strings.Contains(stock, ",2026-09-20\n") {
		t.Errorf("stock: want %d rows dated 2026-09-20, the Sunday before week 39", cfg.Produits)
	}
	if !strings.Contains(string(tables["regions"]), "11,Île-de-France\n") {
		t.Errorf("regions: %s", tables["regions"])
	}
	if !regexp.MustCompile(`(?m)^SMA-0001,[^,\n]+,Smartphones,\d+(\.\d{1,2})?,\d+$`).Match(tables["produits"]) {
		t.Errorf("produits: no SMA-0001 smartphone with a price")
	}
}

// TestDistributechManifestIsTheTruth: every listed defect is at its line with its code
// and outcome, every other line is accepted, and every kind of defect occurs.
func TestDistributechManifestIsTheTruth(t *testing.T) {
	cfg := distributech(11, 0.05)
	dir := mustRunDistributech(t, cfg)
	got := judgeDistributech(t, dir, cfg.Today)
	manifest := readManifest(t, filepath.Join(dir, "defects.csv"))
	listed := map[string]map[int]bool{}
	kinds := map[string]int{}
	for _, m := range manifest {
		if listed[m.file] == nil {
			listed[m.file] = map[int]bool{}
		}
		listed[m.file][m.line] = true
		source := m.file
		if strings.HasPrefix(source, "commandes_") {
			source = "commandes"
		}
		kinds[source+" "+string(m.code)]++
		v, ok := got[m.file][m.line]
		if !ok {
			t.Errorf("%s line %d (%s) was not read", m.file, m.line, m.code)
			continue
		}
		want := map[string]check.Outcome{generate.ExpectReject: check.Reject, generate.ExpectIgnore: check.Ignore}[m.expect]
		if v.outcome != want || !slices.Contains(v.codes, m.code) {
			t.Errorf("%s line %d: %v %v, manifest says %s %s", m.file, m.line, v.outcome, v.codes, m.expect, m.code)
		}
	}
	for file, lines := range got {
		for line, v := range lines {
			if !listed[file][line] && v.outcome != check.Accept {
				t.Errorf("%s line %d: %v %v but not in the manifest", file, line, v.outcome, v.codes)
			}
		}
	}
	db := generate.DistributechSQLite + ":"
	for _, k := range []string{
		db + "revendeurs UNKNOWN_REFERENCE", db + "revendeurs EMAIL_TAKEN",
		db + "produits OUT_OF_RANGE", db + "produits DUPLICATE_KEY_CONFLICT", db + "produits DUPLICATE_ROW",
		db + "stock OUT_OF_RANGE", db + "stock BAD_DATE",
		db + "receptions UNKNOWN_REFERENCE", db + "receptions OUT_OF_RANGE", db + "receptions BAD_DATE",
		"commandes UNKNOWN_REFERENCE", "commandes OUT_OF_RANGE", "commandes BAD_DATE", "commandes DATE_IN_FUTURE",
		"commandes DUPLICATE_ROW", "commandes DUPLICATE_KEY_CONFLICT", "commandes MALFORMED_ROW",
	} {
		if kinds[k] == 0 {
			t.Errorf("no %s defect generated", k)
		}
	}
	// The order defects that share a code, told apart by column.
	columns := map[string]bool{}
	f, err := os.Open(filepath.Join(dir, "defects.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := csvfile.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if strings.HasPrefix(rec.Fields[0], "commandes_") {
			columns[rec.Fields[4]+" "+rec.Fields[3]] = true
		}
	}
	for _, k := range []string{"UNKNOWN_REFERENCE id_revendeur", "UNKNOWN_REFERENCE ref_produit", "OUT_OF_RANGE quantite",
		"OUT_OF_RANGE prix_unitaire", "DUPLICATE_KEY_CONFLICT quantite", "DUPLICATE_KEY_CONFLICT date_commande",
		"DUPLICATE_KEY_CONFLICT id_revendeur"} {
		if !columns[k] {
			t.Errorf("no order line with %s", k)
		}
	}
}
