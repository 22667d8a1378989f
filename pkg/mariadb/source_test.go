package mariadb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/store"
)

// sessionCounter returns a status counter of the pool's session (the pool holds one
// connection, so that is the session of the statements before).
func sessionCounter(t *testing.T, db *mariadb.DB, name string) int {
	t.Helper()
	var row struct {
		Name  string `db:"Variable_name"`
		Value int    `db:"Value"`
	}
	if err := db.Pool().Get(&row, "SHOW SESSION STATUS LIKE '"+name+"'"); err != nil {
		t.Fatalf("SHOW SESSION STATUS LIKE %q: %v", name, err)
	}
	return row.Value
}

// TestSourceRowsStreamsLists reads back, with SourceRows, the 4 projects of one file
// while the table holds 2,000 more from another, each with its sites: the rows come in
// line order with their lists sorted by bytes, and the server holds none of the other
// projects' lists to do it (rows written into its temporary tables, Handler_tmp_write,
// stay within the file's rows; a join to every list of the table, grouped, wrote 2,000).
func TestSourceRowsStreamsLists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := domain.ByName("clevity")
	db := openDomain(t, "clevity")
	load := func(entity, file string, rows [][]string) {
		t.Helper()
		b := &store.Batch{RunID: "r1", Tool: "migration", File: file, Seq: 1, Entity: d.Entity(entity)}
		for i, vals := range rows {
			b.Rows = append(b.Rows, store.Row{Line: i + 2, Values: vals})
		}
		b.Progress = store.Progress{First: 2, Line: len(rows) + 1, Read: len(rows), Inserted: len(rows)}
		if refused, err := db.LoadBatch(ctx, b); err != nil || len(refused) > 0 {
			t.Fatalf("load %s: %v %v", file, err, refused)
		}
	}
	projet := func(id int, sites string) []string {
		return []string{fmt.Sprint(id), "1", "Projet", "audit", "en_cours", "2024-01-01", "", "", "", sites}
	}
	load("clients", "clients.csv", [][]string{{"1", "Dupont SA", "", "contact@dupont.fr", "", "", ""}})
	var others [][]string
	for id := 100; id < 2100; id++ {
		others = append(others, projet(id, "Paris|Lyon|Nantes"))
	}
	load("projets", "autres_projets.csv", others)
	file := [][]string{projet(1, "évian|Lyon Est|Lyon|Évry|lyon-sud"), projet(2, ""), projet(3, "Paris"), projet(4, "Zurich|Annecy")}
	load("projets", "projets.csv", file)

	db.Pool().SetMaxOpenConns(1)
	held := sessionCounter(t, db, "Handler_tmp_write")
	var got []string
	err := db.SourceRows(ctx, d.Entity("projets"), "projets.csv", []string{"r1"}, func(line int, vals []string) error {
		got = append(got, fmt.Sprintf("%d %s", line, strings.Join(vals, ",")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	held = sessionCounter(t, db, "Handler_tmp_write") - held
	want := []string{
		"2 1,1,Projet,audit,en_cours,2024-01-01,,,,Lyon|Lyon Est|lyon-sud|Évry|évian",
		"3 2,1,Projet,audit,en_cours,2024-01-01,,,,",
		"4 3,1,Projet,audit,en_cours,2024-01-01,,,,Paris",
		"5 4,1,Projet,audit,en_cours,2024-01-01,,,,Annecy|Zurich",
	}
	if !slices.Equal(got, want) {
		t.Errorf("SourceRows gave\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if held > len(file) {
		t.Errorf("the server wrote %d rows into temporary tables to read the %d rows of one file: it holds lists of the whole table", held, len(file))
	}
}
