package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/generate"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
	"dmt/pkg/sqlitesrc"
)

var update = flag.Bool("update", false, "rewrite the golden samples in testdata/golden from the generator")

// goldenCases are small samples of both domains, with defects and every option, kept
// in testdata/golden: a change of the generator's output shows as a diff there. (data_1/
// is the customer's production data, frozen: no test regenerates it.)
var goldenCases = []struct {
	name string
	args []string
}{
	{"clevity", []string{"-seed", "5", "-today", "2026-11-15", "-clients", "6", "-intervenants", "4", "-projets", "10",
		"-affectations", "25", "-defects", "0.25", "-corrupt", "8", "-agencies"}},
	{"distributech", []string{"-domain", "distributech", "-seed", "3", "-today", "2026-11-15", "-regions", "2",
		"-revendeurs", "3", "-produits", "10", "-weeks", "2", "-defects", "0.1"}},
}

// TestGoldenSample runs generate_data on the golden cases and compares every file it
// writes with testdata/golden/<case>/ (distributech.sqlite as its tables in CSV, since
// the SQLite file's bytes depend on the driver's version). go test -update rewrites them.
func TestGoldenSample(t *testing.T) {
	t.Parallel()
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			if res := progtest.Run(t, nil, nil, "generate_data", append(c.args, "-out", out)...); res.Code != 0 {
				t.Fatalf("exit %d: %s", res.Code, res.Stderr)
			}
			got := readSample(t, out)
			dir := filepath.Join("testdata", "golden", c.name)
			if *update {
				os.RemoveAll(dir)
				for name, b := range got {
					os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
					if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			want := readSample(t, dir)
			for name, b := range want {
				if g, ok := got[name]; !ok {
					t.Errorf("%s: not written", name)
				} else if !bytes.Equal(g, b) {
					t.Errorf("%s differs from testdata/golden/%s (-golden +got; go test -run Golden -update rewrites it once the change is wanted):\n%s",
						name, c.name, progtest.LineDiff(string(b), string(g)))
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s written, not in testdata/golden/%s", name, c.name)
				}
			}
		})
	}
}

// readSample returns every file under dir by its slash path; a SQLite file becomes
// one <table>.csv per table, as the migration reads it.
func readSample(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if rel != generate.DistributechSQLite {
			files[rel], err = os.ReadFile(path)
			return err
		}
		db, err := sqlitesrc.Open(path)
		if err != nil {
			return err
		}
		defer db.Close()
		for _, e := range domain.Distributech().Entities {
			if e.SQLiteTable == "" {
				continue
			}
			rc := db.Table(context.Background(), e.SQLiteTable, e.Columns())
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return err
			}
			files[rel+".tables/"+e.SQLiteTable+".csv"] = b
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no file under %s", dir)
	}
	return files
}

// TestNothingWritesIntoData1: data_1/ is the customer's production data, frozen; no
// command of the READMEs, the manuals or the scripts writes into it.
func TestNothingWritesIntoData1(t *testing.T) {
	t.Parallel()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{"README.md", "data_1/README.md"}
	for _, pattern := range []string{"cmd/*/doc.go", "cmd/*/main.go", "scripts/*"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, p := range m {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				continue // scripts/fakertrial, a Go module: no command there
			}
			rel, _ := filepath.Rel(root, p)
			docs = append(docs, rel)
		}
	}
	writes := regexp.MustCompile(`(-out|-o|-rejects|-evolution|-chart|>)[ =]+['"]?(\./)?data_1\b`)
	for _, doc := range slices.Compact(docs) {
		b, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if writes.MatchString(line) {
				t.Errorf("%s:%d writes into data_1/: %s", doc, i+1, strings.TrimSpace(line))
			}
		}
	}
}
