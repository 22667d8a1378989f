package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/migrate"
	"dmt/pkg/model"
)

// TestData1 migrates the provided production data and checks it against the ground
// truth of data_1/defects.csv: exactly the listed rows are rejected (with their code)
// or ignored, every other row is in the database, and a second run inserts nothing.
func TestData1(t *testing.T) {
	t.Parallel()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(root, "data_1")
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	res := migration(t, dsn, "-out", out, data)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1 (rows rejected): %s", res.code, res.stderr)
	}
	rep := readReport(t, out)

	checkManifest(t, filepath.Join(data, "defects.csv"), out, rep)
	checkCanonical(t, dsn, data)
	db := openDB(t, dsn)
	for _, f := range rep.Files {
		if n := count(t, db, "SELECT COUNT(*) FROM "+f.Entity); n != f.Inserted {
			t.Errorf("%s: table holds %d rows, report says %d inserted", f.Entity, n, f.Inserted)
		}
	}
	// MALFORMED rows are physical records too, so the files' records are all read.
	if rep.Totals.Read != 16052 || rep.Totals.Inserted != 15512 || rep.Totals.Rejected != 493 || rep.Totals.Ignored != 47 {
		t.Errorf("totals %+v, want read 16052, inserted 15512, rejected 493, ignored 47", rep.Totals)
	}
	// A second run judges again every file that had rejections (its parents may have
	// arrived): each rejection is found again, the same way, so the run has no new
	// problem (exit 0) and says how many rows are still rejected.
	before := content(t, db)
	out2 := t.TempDir()
	again := migration(t, dsn, "-out", out2, data)
	if again.code != 0 || !strings.Contains(again.stderr, "inserted 0,") ||
		!strings.Contains(again.stderr, "493 rows still rejected (unchanged since run "+rep.RunID+")") {
		t.Errorf("second run: exit %d, %s; want exit 0 and 493 rows still rejected", again.code, again.stderr)
	}
	rep2 := readReport(t, out2)
	if rep2.Totals.Rejected != 493 || rep2.Totals.StillRejected != 493 {
		t.Errorf("second run: rejected %d, still rejected %d; want 493 and 493", rep2.Totals.Rejected, rep2.Totals.StillRejected)
	}
	for i, f := range rep2.Files {
		if first := rep.Files[i]; f.State != "complete" || f.StillRejected != first.Rejected || f.StillRejectedSince != rep.RunID {
			t.Errorf("second run: %s: %s, still rejected %d since %q; want complete, %d since %s", f.File, f.State, f.StillRejected,
				f.StillRejectedSince, first.Rejected, rep.RunID)
		}
	}
	if content(t, db) != before {
		t.Errorf("second run changed the tables")
	}
}

// checkManifest wants exactly the rows a generator's manifest lists as rejected in the
// rejected-rows files, each with its code, and as many ignored rows per file as it lists.
func checkManifest(t *testing.T, manifestPath, out string, rep jsonReport) {
	t.Helper()
	wantRejected := map[string]map[string]string{} // file -> line -> code
	wantIgnored := map[string]int{}
	for _, m := range readCSV(t, manifestPath)[1:] {
		file, line, code, expect := m[0], m[1], m[4], m[5]
		switch expect {
		case "reject":
			if wantRejected[file] == nil {
				wantRejected[file] = map[string]string{}
			}
			wantRejected[file][line] = code
		case "ignore":
			wantIgnored[file]++
		}
	}
	for _, f := range rep.Files {
		if f.Rejected != len(wantRejected[f.File]) || f.Ignored != wantIgnored[f.File] {
			t.Errorf("%s: rejected %d, ignored %d; manifest says %d and %d", f.File, f.Rejected, f.Ignored, len(wantRejected[f.File]), wantIgnored[f.File])
		}
		if f.Rejected == 0 {
			continue
		}
		rejects := readCSV(t, filepath.Join(out, "rejets", migrate.RejectFileName(&migrate.Source{Name: f.File})))
		header := rejects[0]
		lineCol, errCol := slices.Index(header, "_line"), slices.Index(header, "_errors")
		for _, r := range rejects[1:] {
			code, ok := wantRejected[f.File][r[lineCol]]
			if !ok {
				t.Errorf("%s line %s rejected (%s) but not in the manifest", f.File, r[lineCol], r[errCol])
			} else if !strings.Contains(r[errCol], code) {
				t.Errorf("%s line %s: %s, manifest says %s", f.File, r[lineCol], r[errCol], code)
			}
		}
		if len(rejects)-1 != f.Rejected {
			t.Errorf("%s: %d rows in rejets, %d rejected", f.File, len(rejects)-1, f.Rejected)
		}
	}
}

// checkCanonical wants the database to hold exactly the rows the checker accepts from
// the folder's files, with the canonical values it computed: nothing lost, added or
// mangled between the checks and the tables (lists compared item by item, sorted).
func checkCanonical(t *testing.T, dsn, dir string) {
	t.Helper()
	d := domain.Clevity()
	c := check.New(d, model.Date{Year: 2026, Month: time.November, Day: 15})
	db, err := mariadb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, e := range d.Entities {
		want := map[string]bool{}
		f, err := os.Open(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		r, err := csvfile.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := csvfile.MapHeader(r.Header(), e.Columns(), e.Required())
		raw := make([]string, len(e.Fields))
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				continue // malformed: rejected, and checked against the manifest
			}
			for i, j := range m.Index {
				raw[i] = rec.Fields[j]
			}
			if res := c.Check(e, rec.Line, raw); res.Outcome == check.Accept {
				want[sortedLists(e, res.Canonical)] = true
			}
		}
		f.Close()
		got := 0
		if err := db.ScanEntity(context.Background(), e, func(vals []string) error {
			got++
			if k := sortedLists(e, vals); !want[k] {
				t.Errorf("%s: row %q in the database is not a row the checks accepted", e.Name, k)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got != len(want) {
			t.Errorf("%s: %d rows in the database, the checks accepted %d", e.Name, got, len(want))
		}
	}
}

func sortedLists(e *domain.Entity, vals []string) string {
	out := slices.Clone(vals)
	for _, l := range e.Lists {
		i := e.Index(l.Column)
		items := strings.Split(out[i], "|")
		slices.Sort(items)
		out[i] = strings.Join(items, "|")
	}
	return strings.Join(out, "\x1f")
}
