package sqlitesrc

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"dmt/pkg/csvfile"
)

func TestTableAsCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.sqlite")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE produits (ref_produit TEXT, nom TEXT, prix_unitaire REAL, seuil_alerte INTEGER, extra TEXT)",
		`INSERT INTO produits VALUES ('A-1', 'Écran "27"', 249.9, 5, 'x'), ('A-2', '=cmd, ; rien', 0.1, NULL, 'y'), ('A-3', 'ligne
deux', 1e3, -2, NULL)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Name("produits") != "x.sqlite:produits" {
		t.Errorf("Name = %q", f.Name("produits"))
	}
	r := f.Table(context.Background(), "produits", []string{"ref_produit", "nom", "prix_unitaire", "seuil_alerte"})
	defer r.Close()
	cr, err := csvfile.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got, lines = append(got, rec.Fields), append(lines, rec.Line)
	}
	want := [][]string{{"A-1", `Écran "27"`, "249.9", "5"}, {"A-2", "=cmd, ; rien", "0.1", ""}, {"A-3", "ligne\ndeux", "1000", "-2"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
	if !reflect.DeepEqual(cr.Header(), []string{"ref_produit", "nom", "prix_unitaire", "seuil_alerte"}) {
		t.Errorf("header = %q", cr.Header())
	}
	_ = lines
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "none.sqlite")); err == nil {
		t.Error("Open of a missing file succeeded")
	}
	path := filepath.Join(dir, "t.sqlite")
	db, _ := sql.Open("sqlite", path)
	db.Exec("CREATE TABLE regions (id_region INTEGER PRIMARY KEY, nom TEXT)")
	db.Close()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for table, cols := range map[string][]string{"regions": {"id_region", "code"}, "nope": {"a"}} {
		r := f.Table(context.Background(), table, cols)
		_, err := io.ReadAll(r)
		if err == nil || !strings.Contains(err.Error(), "t.sqlite") {
			t.Errorf("Table(%s, %v): %v, want an error naming the file", table, cols, err)
		}
		r.Close()
	}
}
