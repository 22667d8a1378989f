package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
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

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
	"dmt/pkg/redact"
	"dmt/pkg/svgchart"
)

func TestMain(m *testing.M) { progtest.Main(m, "analyse_stock") }

// The fixture: four products inserted out of order, one without movements, and
// movements over weeks 2026-W06 to W11 (Monday 2026-02-02 opens W06).
//
//	A-001 seuil 10: inventaire 100 (02-03), reception 50 (02-10), commande 30 (02-12),
//	      commande 40 (Sunday 02-22), reception 5 (Monday 02-23), reception 1000 (03-10)
//	B-002 seuil 20: inventaire 40 (02-03), commande 25 (02-16)
//	C-003 seuil 5:  inventaire 10 (02-04), commande 6 (02-11), commande 6 (02-25)
//	D-004 seuil 3:  nothing (its snapshot row was rejected): SANS_INVENTAIRE
var (
	products = [][]any{
		{"C-003", "Écran 24\"", "Écrans", "149.90", 5},
		{"A-001", "Câble HDMI, 2 m", "Câbles", "9.90", 10},
		{"D-004", "=HYPERLINK(\"x\")", "Souris", "19.00", 3},
		{"B-002", "Clavier", "Claviers", "29.00", 20},
	}
	movements = [][]any{ // ref, date, type, reference, quantite
		{"A-001", "2026-02-03", "inventaire", "2026-02-03", 100},
		{"A-001", "2026-02-10", "reception", "R1", 50},
		{"A-001", "2026-02-12", "commande", "C1", -30},
		{"A-001", "2026-02-22", "commande", "C2", -40},
		{"A-001", "2026-02-23", "reception", "R2", 5},
		{"A-001", "2026-03-10", "reception", "R3", 1000},
		{"B-002", "2026-02-03", "inventaire", "2026-02-03", 40},
		{"B-002", "2026-02-16", "commande", "C3", -25},
		{"C-003", "2026-02-04", "inventaire", "2026-02-04", 10},
		{"C-003", "2026-02-11", "commande", "C1", -6},
		{"C-003", "2026-02-25", "commande", "C4", -6},
	}
)

// fixture returns the DSN of a fresh distributech database holding the fixture.
func fixture(t *testing.T) string {
	t.Helper()
	dsn := mariadbtest.NewDatabase(t)
	ctx := context.Background()
	db, err := mariadb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, "distributech", "test"); err != nil {
		t.Fatal(err)
	}
	raw := openSQL(t, dsn)
	for i, p := range products {
		if _, err := raw.Exec("INSERT INTO produits (ref_produit, nom, categorie, prix_unitaire, seuil_alerte, run_id, source_file, source_line)"+
			" VALUES (?, ?, ?, ?, ?, 'r1', 'f', ?)", append(p, i+2)...); err != nil {
			t.Fatalf("insert %v: %v", p, err)
		}
	}
	for i, m := range movements {
		if _, err := raw.Exec("INSERT INTO mouvements_stock (ref_produit, date_mouvement, type_mouvement, reference, quantite, run_id, source_file, source_line)"+
			" VALUES (?, ?, ?, ?, ?, 'r1', 'f', ?)", append(m, i+2)...); err != nil {
			t.Fatalf("insert %v: %v", m, err)
		}
	}
	return dsn
}

// openSQL opens a plain pool on dsn, to write and read rows behind the programs' back;
// it is closed at the end of the test.
func openSQL(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var wantHeader = []string{"ref_produit", "nom", "categorie", "stock_initial", "total_receptions", "total_commandes", "stock_actuel", "seuil_alerte", "statut", "date_etat", "prix_unitaire"}

func TestStockState(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	cases := []struct {
		name string
		at   string
		code int
		want [][]string
	}{
		{"end of February", "2026-02-28", 0, [][]string{
			wantHeader,
			{"A-001", "Câble HDMI, 2 m", "Câbles", "100", "55", "70", "85", "10", "OK", "2026-02-28", "9.90"},
			{"B-002", "Clavier", "Claviers", "40", "0", "25", "15", "20", "SOUS_SEUIL", "2026-02-28", "29.00"},
			{"C-003", "Écran 24\"", "Écrans", "10", "0", "12", "-2", "5", "RUPTURE", "2026-02-28", "149.90"},
			{"D-004", "'=HYPERLINK(\"x\")", "Souris", "0", "0", "0", "0", "3", "SANS_INVENTAIRE", "2026-02-28", "19.00"},
		}},
		{"a past date, movements of that day included", "2026-02-11", 0, [][]string{
			wantHeader,
			{"A-001", "Câble HDMI, 2 m", "Câbles", "100", "50", "0", "150", "10", "OK", "2026-02-11", "9.90"},
			{"B-002", "Clavier", "Claviers", "40", "0", "0", "40", "20", "OK", "2026-02-11", "29.00"},
			{"C-003", "Écran 24\"", "Écrans", "10", "0", "6", "4", "5", "SOUS_SEUIL", "2026-02-11", "149.90"},
			{"D-004", "'=HYPERLINK(\"x\")", "Souris", "0", "0", "0", "0", "3", "SANS_INVENTAIRE", "2026-02-11", "19.00"},
		}},
		{"the day of the first snapshot, before C-003's", "2026-02-03", 0, [][]string{
			wantHeader,
			{"A-001", "Câble HDMI, 2 m", "Câbles", "100", "0", "0", "100", "10", "OK", "2026-02-03", "9.90"},
			{"B-002", "Clavier", "Claviers", "40", "0", "0", "40", "20", "OK", "2026-02-03", "29.00"},
			{"C-003", "Écran 24\"", "Écrans", "0", "0", "0", "0", "5", "SANS_INVENTAIRE", "2026-02-03", "149.90"},
			{"D-004", "'=HYPERLINK(\"x\")", "Souris", "0", "0", "0", "0", "3", "SANS_INVENTAIRE", "2026-02-03", "19.00"},
		}},
		// Written, but meaningless: exit 1 and a warning.
		{"before the first snapshot", "2026-02-02", 1, [][]string{
			wantHeader,
			{"A-001", "Câble HDMI, 2 m", "Câbles", "0", "0", "0", "0", "10", "SANS_INVENTAIRE", "2026-02-02", "9.90"},
			{"B-002", "Clavier", "Claviers", "0", "0", "0", "0", "20", "SANS_INVENTAIRE", "2026-02-02", "29.00"},
			{"C-003", "Écran 24\"", "Écrans", "0", "0", "0", "0", "5", "SANS_INVENTAIRE", "2026-02-02", "149.90"},
			{"D-004", "'=HYPERLINK(\"x\")", "Souris", "0", "0", "0", "0", "3", "SANS_INVENTAIRE", "2026-02-02", "19.00"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", c.at, "-out", dir)
			if res.Code != c.code {
				t.Fatalf("exit %d, want %d: %s", res.Code, c.code, res.Stderr)
			}
			got := progtest.ReadCSV(t, filepath.Join(dir, "etat_stock_par_produit.csv"))
			if !slices.EqualFunc(got, c.want, slices.Equal) {
				t.Errorf("etat_stock_par_produit.csv:\n got %q\nwant %q", got, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "evolution_stock.csv")); err != nil {
				t.Errorf("no evolution_stock.csv beside the state: %v", err)
			}
			n := map[string]int{}
			for _, r := range c.want[1:] {
				n[r[8]]++
			}
			lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
			prefix := "analyse_stock: 4 products, " + strconv.Itoa(n["SOUS_SEUIL"]) + " SOUS_SEUIL, " + strconv.Itoa(n["RUPTURE"]) + " RUPTURE, " +
				strconv.Itoa(n["SANS_INVENTAIRE"]) + " SANS_INVENTAIRE at " + c.at + "; wrote "
			wantLines := 1
			if c.code == 1 {
				wantLines = 2
				warning := "analyse_stock: warning: -at " + c.at + " is before the first stock snapshot (2026-02-03): every product is SANS_INVENTAIRE"
				if lines[len(lines)-1] != warning {
					t.Errorf("last line %q, want %q", lines[len(lines)-1], warning)
				}
			}
			if !strings.HasPrefix(lines[0], prefix) || len(lines) != wantLines {
				t.Errorf("stderr %q, want %d lines, the first starting %q", res.Stderr, wantLines, prefix)
			}
		})
	}
}

// TestMissingInventoryIsNotAStockOut: a product with receipts and orders but whose
// snapshot row was rejected is SANS_INVENTAIRE, not RUPTURE, not drawn; the run is
// clean (exit 0) as long as some product has its snapshot. Without any snapshot in the
// database, the files are written with a warning and exit 1.
func TestMissingInventoryIsNotAStockOut(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	db := openSQL(t, dsn)
	for _, q := range []string{
		"INSERT INTO produits (ref_produit, nom, categorie, prix_unitaire, seuil_alerte, run_id, source_file, source_line) VALUES ('E-005', 'Webcam', 'Webcams', 39.90, 4, 'r1', 'f', 6)",
		"INSERT INTO mouvements_stock (ref_produit, date_mouvement, type_mouvement, reference, quantite, run_id, source_file, source_line) VALUES ('E-005', '2026-02-10', 'reception', 'R9', 2, 'r1', 'f', 20)",
		"INSERT INTO mouvements_stock (ref_produit, date_mouvement, type_mouvement, reference, quantite, run_id, source_file, source_line) VALUES ('E-005', '2026-02-12', 'commande', 'C9', -5, 'r1', 'f', 21)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-out", dir, "-chart", "svg")
	if res.Code != 0 || !strings.Contains(res.Stderr, " 1 RUPTURE, 2 SANS_INVENTAIRE at 2026-02-28") {
		t.Fatalf("exit %d, stderr %q; want 0, C-003 in RUPTURE, D-004 and E-005 SANS_INVENTAIRE", res.Code, res.Stderr)
	}
	rows := progtest.ReadCSV(t, filepath.Join(dir, "etat_stock_par_produit.csv"))
	if e := rows[len(rows)-1]; e[0] != "E-005" || e[8] != "SANS_INVENTAIRE" || e[6] != "-3" {
		t.Errorf("E-005: %q, want stock_actuel -3 and SANS_INVENTAIRE", e)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "alertes_stock.svg"))
	if bytes.Contains(svg, []byte(`data-ref="E-005"`)) || bytes.Contains(svg, []byte(`data-ref="D-004"`)) {
		t.Errorf("a product without inventory is drawn")
	}

	if _, err := db.Exec("DELETE FROM mouvements_stock WHERE type_mouvement = 'inventaire'"); err != nil {
		t.Fatal(err)
	}
	res = progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-out", dir)
	lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
	if res.Code != 1 || len(lines) != 2 || lines[1] != "analyse_stock: warning: the database holds no stock snapshot: every product is SANS_INVENTAIRE" {
		t.Errorf("without snapshot: exit %d, stderr %q; want 1 and a warning", res.Code, res.Stderr)
	}
	var status, msg string
	if err := db.QueryRow("SELECT status, message FROM journal WHERE tool = 'analyse_stock' ORDER BY started_at DESC, run_id DESC LIMIT 1").Scan(&status, &msg); err != nil ||
		status != "data_errors" || !strings.Contains(msg, "no stock snapshot") {
		t.Errorf("journal: %q %q %v; want data_errors with the warning", status, msg, err)
	}
}

func TestDefaultDateIsTodayAndCountsEverything(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	dir := t.TempDir()
	before := time.Now().Format(time.DateOnly)
	res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-out", dir)
	after := time.Now().Format(time.DateOnly)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	rows := progtest.ReadCSV(t, filepath.Join(dir, "etat_stock_par_produit.csv"))
	if len(rows) != 5 {
		t.Fatalf("%d rows, want header and 4 products: %q", len(rows), rows)
	}
	a := rows[1]
	if today := a[9]; today != before && today != after {
		t.Errorf("date_etat %s, want today %s", today, before)
	}
	if a[9] >= "2026-03-10" && (a[4] != "1055" || a[6] != "1085") {
		t.Errorf("A-001 today: total_receptions %s, stock_actuel %s; want 1055, 1085", a[4], a[6])
	}
	// The last week of the evolution is today's, and its stock is the state's.
	evo := progtest.ReadCSV(t, filepath.Join(dir, "evolution_stock.csv"))
	y, w := time.Now().ISOWeek()
	thisWeek := fmt.Sprintf("%04d-W%02d", y, w)
	var last []string
	for _, r := range evo[1:] {
		if r[0] == "A-001" {
			last = r
		}
	}
	if last == nil || last[2] != a[6] || (last[1] != thisWeek && a[9] == after) {
		t.Errorf("last evolution row of A-001 %q, want this week's with stock %s", last, a[6])
	}
}

// TestTodayIsTheLocalDate: without -at, the state is at today's end, today being the
// local date of the machine (its TZ), as for every program of the toolkit: two zones 26
// hours apart never share a date, whatever the hour.
func TestTodayIsTheLocalDate(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	for _, zone := range []string{"Etc/GMT-14", "Etc/GMT+12"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Skipf("no time zone data: %v", err)
		}
		before := time.Now().In(loc).Format(time.DateOnly)
		res := progtest.Run(t, []string{"TZ=" + zone}, nil, "analyse_stock", "-dsn", dsn, "-etat", "-")
		after := time.Now().In(loc).Format(time.DateOnly)
		if res.Code != 0 {
			t.Fatalf("TZ=%s: exit %d: %s", zone, res.Code, res.Stderr)
		}
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		f := strings.Split(lines[1], ",")
		if got := f[len(f)-2]; got != before && got != after { // split on every comma: date_etat is next to last
			t.Errorf("TZ=%s: date_etat %s, want the local date %s", zone, got, before)
		}
	}
}

func TestEvolution(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	dir := t.TempDir()
	evoPath := filepath.Join(dir, "sub", "evolution_stock.csv")
	res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-out", filepath.Join(dir, "sub"))
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	// Week 06 opens on Monday 2026-02-02; Sunday 02-22 closes W08; 2026-02-28 is in W09.
	want := [][]string{
		{"ref_produit", "semaine", "stock_fin_semaine"},
		{"A-001", "2026-W06", "100"}, {"A-001", "2026-W07", "120"}, {"A-001", "2026-W08", "80"}, {"A-001", "2026-W09", "85"},
		{"B-002", "2026-W06", "40"}, {"B-002", "2026-W07", "40"}, {"B-002", "2026-W08", "15"}, {"B-002", "2026-W09", "15"},
		{"C-003", "2026-W06", "10"}, {"C-003", "2026-W07", "4"}, {"C-003", "2026-W08", "4"}, {"C-003", "2026-W09", "-2"},
		{"D-004", "2026-W06", "0"}, {"D-004", "2026-W07", "0"}, {"D-004", "2026-W08", "0"}, {"D-004", "2026-W09", "0"},
	}
	if got := progtest.ReadCSV(t, evoPath); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("evolution:\n got %q\nwant %q", got, want)
	}

	// Later weeks without movements carry the stock on; the 1000 of 03-10 lands in W11.
	res = progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-03-16", "-out", dir)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	var a [][]string
	for _, r := range progtest.ReadCSV(t, filepath.Join(dir, "evolution_stock.csv"))[1:] {
		if r[0] == "A-001" {
			a = append(a, r)
		}
	}
	wantA := [][]string{{"A-001", "2026-W06", "100"}, {"A-001", "2026-W07", "120"}, {"A-001", "2026-W08", "80"},
		{"A-001", "2026-W09", "85"}, {"A-001", "2026-W10", "85"}, {"A-001", "2026-W11", "1085"}, {"A-001", "2026-W12", "1085"}}
	if !slices.EqualFunc(a, wantA, slices.Equal) {
		t.Errorf("A-001 to 2026-03-16:\n got %q\nwant %q", a, wantA)
	}
}

func TestExcel(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	dir := t.TempDir()
	dir = filepath.Join(dir, "exports") + string(filepath.Separator) // created
	res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-excel", "-out", dir)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	for file, head := range map[string]string{
		"etat_stock_par_produit.csv": "\uFEFFref_produit;nom;categorie;stock_initial;total_receptions;total_commandes;stock_actuel;seuil_alerte;statut;date_etat;prix_unitaire\r\n" +
			"A-001;Câble HDMI, 2 m;Câbles;100;55;70;85;10;OK;2026-02-28;9,90\r\n",
		"evolution_stock.csv": "\uFEFFref_produit;semaine;stock_fin_semaine\r\nA-001;2026-W06;100\r\n",
	} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte(head)) {
			t.Errorf("%s starts %q, want %q", file, data[:min(len(data), len(head)+20)], head)
		}
		if n := bytes.Count(data, []byte("\n")); n != bytes.Count(data, []byte("\r\n")) {
			t.Errorf("%s: a line ends without CRLF", file)
		}
	}
	if got := progtest.ReadCSV(t, filepath.Join(dir, "etat_stock_par_produit.csv")); len(got) != 5 || got[3][6] != "-2" {
		t.Errorf("excel state does not read back: %q", got)
	}
}

func TestStdout(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	dir := t.TempDir()
	file := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-out", dir)
	cwd := t.TempDir()
	cmd := exec.Command(progtest.Path("analyse_stock"), "-dsn", dsn, "-at", "2026-02-28", "-etat", "-")
	cmd.Dir = cwd // -etat - writes nothing in the current folder
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := progtest.Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if err != nil || file.Code != 0 {
		t.Fatalf("%v, exit %d: %s %s", err, file.Code, res.Stderr, file.Stderr)
	}
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Errorf("-etat - wrote %v in the current folder", entries)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "etat_stock_par_produit.csv"))
	if res.Stdout != string(want) || !strings.HasPrefix(res.Stdout, strings.Join(wantHeader, ",")+"\n") {
		t.Errorf("stdout %q, want the file %q", res.Stdout, want)
	}
	if !strings.Contains(res.Stderr, "wrote stdout") || strings.Contains(res.Stderr, "evolution") {
		t.Errorf("stderr %q: want stdout written and no evolution file", res.Stderr)
	}
	res = progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-evolution", "-")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "ref_produit,semaine,stock_fin_semaine\nA-001,2026-W06,100\n") {
		t.Errorf("-evolution -: exit %d, stdout %q", res.Code, res.Stdout)
	}
}

// svgDoc is what the tests read of a chart.
type svgDoc struct {
	Lines    []svgElem `xml:"g>polyline"`
	Seuils   []svgElem `xml:"g>line"`
	Texts    []string  `xml:"text"`
	Title    string    `xml:"title"`
	Children []svgElem `xml:",any"`
}

type svgElem struct {
	XMLName xml.Name
	Class   string `xml:"class,attr"`
	Ref     string `xml:"data-ref,attr"`
	Points  string `xml:"points,attr"`
}

func parseSVG(t *testing.T, data []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("chart is not well-formed XML: %v\n%s", err, data)
	}
	// The whole document must parse, not only its first element.
	dec = xml.NewDecoder(bytes.NewReader(data))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("chart: %v", err)
		}
	}
	return doc
}

func TestChart(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	dir := t.TempDir()
	svg := filepath.Join(dir, "alertes_stock.svg")
	res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-out", dir, "-chart", "svg")
	if res.Code != 0 || !strings.Contains(res.Stderr, svg) {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	data, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, data)
	if doc.Title != chartTitle || !slices.Contains(doc.Texts, chartTitle) {
		t.Errorf("title %q, texts %q; want %q", doc.Title, doc.Texts, chartTitle)
	}
	var refs []string
	for _, l := range doc.Lines {
		refs = append(refs, l.Ref)
		if n := len(strings.Fields(l.Points)); n != 4 {
			t.Errorf("%s: %d points, want one per week (4)", l.Ref, n)
		}
	}
	if want := []string{"C-003", "B-002"}; !slices.Equal(refs, want) {
		t.Errorf("polylines for %q, want the products at or under their threshold %q, most urgent first (not D-004, without inventory)", refs, want)
	}
	for _, l := range doc.Seuils {
		if l.Ref == "A-001" {
			t.Errorf("threshold drawn for A-001, which is OK")
		}
	}
	if !bytes.Contains(data, []byte(`<g class="legend">`)) {
		t.Errorf("no legend")
	}
	if !bytes.Contains(data, []byte("2026-W06")) || !bytes.Contains(data, []byte("B-002 Clavier (seuil 20)")) {
		t.Errorf("no week label or panel title in the chart")
	}

	page := filepath.Join(dir, "alertes_stock.html")
	if res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-out", dir, "-chart", "html"); res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	html, _ := os.ReadFile(page)
	i, j := bytes.Index(html, []byte("<svg")), bytes.LastIndex(html, []byte("</svg>"))
	if !bytes.HasPrefix(html, []byte("<!DOCTYPE html>")) || i < 0 || j < i {
		t.Fatalf("not an HTML page holding an SVG: %s", html)
	}
	if page := parseSVG(t, html[i:j+len("</svg>")]); len(page.Lines) != 2 {
		t.Errorf("HTML chart has %d lines, want 2", len(page.Lines))
	}
	if !bytes.Contains(html, []byte(`<tr data-ref="C-003">`)) || !bytes.Contains(html, []byte(`<tr data-ref="B-002">`)) || bytes.Contains(html, []byte("<script")) {
		t.Errorf("HTML page without the table of the products beside the chart, or with a script")
	}
}

func TestChartWithoutProductUnderThreshold(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	states := []mariadb.StockState{{Ref: "A", Actuel: 50, Seuil: 10}}
	weeks := []mariadb.StockWeek{{Ref: "A", Week: "2026-W06", Stock: 50}}
	if err := writeSVG(&b, newChart("2026-02-28", states, weeks), false); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, b.Bytes())
	if len(doc.Lines) != 0 || !slices.ContainsFunc(doc.Texts, func(s string) bool { return strings.Contains(s, "Aucun produit sous le seuil") }) {
		t.Errorf("lines %v, texts %q; want no line and a text saying why", doc.Lines, doc.Texts)
	}
}

// TestChartSmallMultiples: with many products under their threshold and one far
// below zero, the chart draws a screenful (maxPanels) of small charts, most urgent
// first, says how many it leaves out, and gives each product its own scale: the
// outlier does not flatten a product whose stock moves by a few units.
func TestChartSmallMultiples(t *testing.T) {
	t.Parallel()
	var states []mariadb.StockState
	var weeks []mariadb.StockWeek
	for i := range 15 {
		ref := fmt.Sprintf("P-%03d", i)
		points := []int64{40, 38, 36, int64(30 + i%5)}
		if i == 7 {
			points = []int64{10, -50, -150, -235}
		}
		states = append(states, mariadb.StockState{Ref: ref, Nom: "Produit", Seuil: 40, Actuel: points[3], Inventoried: true})
		for k, p := range points {
			weeks = append(weeks, mariadb.StockWeek{Ref: ref, Week: fmt.Sprintf("2026-W%02d", 6+k), Stock: p})
		}
	}
	states = append(states, mariadb.StockState{Ref: "OK-1", Nom: "Loin du seuil", Seuil: 10, Actuel: 500, Inventoried: true},
		mariadb.StockState{Ref: "NEAR-1", Nom: "Proche", Seuil: 100, Actuel: 120, Inventoried: true})
	var b bytes.Buffer
	if err := writeSVG(&b, newChart("2026-03-01", states, weeks), false); err != nil {
		t.Fatal(err)
	}
	doc := parseSVG(t, b.Bytes())
	if len(doc.Lines) != maxPanels {
		t.Fatalf("%d small charts, want a screenful of %d", len(doc.Lines), maxPanels)
	}
	if doc.Lines[0].Ref != "P-007" {
		t.Errorf("first chart %s, want the most urgent P-007 (-235)", doc.Lines[0].Ref)
	}
	var subtitle []string
	for _, m := range regexp.MustCompile(`class="subtitle"[^>]*>([^<]*)<`).FindAllSubmatch(b.Bytes(), -1) {
		subtitle = append(subtitle, string(m[1]))
	}
	if !strings.Contains(strings.Join(subtitle, " "), "; 4 de plus non tracés") {
		t.Errorf("the chart does not say how many products it leaves out (16 under or near, %d drawn)", maxPanels)
	}
	for _, l := range doc.Lines {
		if l.Ref == "OK-1" {
			t.Errorf("OK-1, far above its threshold, is drawn")
		}
		lo, hi := 1e9, -1e9
		for _, p := range strings.Fields(l.Points) {
			var x, y float64
			fmt.Sscanf(p, "%f,%f", &x, &y)
			lo, hi = min(lo, y), max(hi, y)
		}
		if hi-lo < 15 {
			t.Errorf("%s: its points span %.0f units of height: crushed by another product's scale", l.Ref, hi-lo)
		}
	}
}

func TestNiceStep(t *testing.T) {
	t.Parallel()
	cases := []struct {
		span float64
		want float64
	}{{0, 1}, {1, 1}, {6, 1}, {10, 2}, {30, 5}, {55, 10}, {1085, 200}, {4000, 1000}}
	for _, c := range cases {
		if got := svgchart.NiceStep(c.span, 6); got != c.want {
			t.Errorf("NiceStep(%v, 6) = %v, want %v", c.span, got, c.want)
		}
	}
}

// TestJournal runs analyse_stock as an account with a password holding "@", ":" and
// "/": the journal records the run with the password masked, and neither the database
// nor the files written nor the output hold the password.
func TestJournal(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	userDSN, pw := mariadbtest.NewUser(t, dsn)
	out := t.TempDir()
	res := progtest.Run(t, nil, nil, "analyse_stock", "-dsn="+userDSN, "-at", "2026-02-28", "-out", out)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	db := openSQL(t, dsn)
	var status, args, msg string
	if err := db.QueryRow("SELECT status, args, message FROM journal WHERE tool = 'analyse_stock'").Scan(&status, &args, &msg); err != nil {
		t.Fatal(err)
	}
	if status != "ok" || !strings.Contains(args, "-dsn="+redact.DSN(userDSN)) || !strings.Contains(msg, "4 products") {
		t.Errorf("journal: status %q, args %q, message %q", status, args, msg)
	}
	progtest.NoSecret(t, pw, dsn, []string{out}, res)
}

func TestCannotRun(t *testing.T) {
	t.Parallel()
	cfg, err := mysql.ParseDSN(mariadbtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	wrong := cfg.Clone()
	wrong.User, wrong.Passwd, wrong.DBName = "nobody", "pw-secret", "x"
	down := cfg.Clone()
	down.Addr, down.DBName = "127.0.0.1:1", "x"
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"database down", []string{"-dsn", down.FormatDSN()}, "cannot reach MariaDB at 127.0.0.1:1"},
		{"wrong password", []string{"-dsn", wrong.FormatDSN()}, "access denied for user nobody"},
		{"empty database", []string{"-dsn", mariadbtest.NewDatabase(t)}, "no dmt schema in this database (run migration first)"},
		{"bad date", []string{"-dsn", down.FormatDSN(), "-at", "28/02/2026"}, "-at: want YYYY-MM-DD"},
		{"bad chart", []string{"-dsn", down.FormatDSN(), "-chart", "x.png"}, "want svg or html"},
		{"two outputs on stdout", []string{"-dsn", down.FormatDSN(), "-etat", "-", "-evolution", "-"}, "only one of them"},
		{"a file for -etat", []string{"-dsn", down.FormatDSN(), "-etat", "e.csv"}, "only - (stdout)"},
		{"no database", []string{"-dsn", ""}, "no database"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			res := progtest.Run(t, []string{"MARIADB_DSN="}, nil, "analyse_stock", append([]string{"-out", dir}, c.args...)...)
			line := strings.TrimSpace(res.Stderr)
			if res.Code != 2 || !strings.Contains(line, c.want) || strings.Contains(line, "\n") || strings.Contains(line, "pw-secret") {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line with %q", res.Code, res.Stderr, c.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "etat_stock_par_produit.csv")); err == nil {
				t.Errorf("etat_stock_par_produit.csv written though the run failed")
			}
		})
	}
}

// TestManual: -h prints the manual on stdout with every flag (see progtest.CheckManual).
func TestManual(t *testing.T) {
	t.Parallel()
	progtest.CheckManual(t, "analyse_stock", run)
}
