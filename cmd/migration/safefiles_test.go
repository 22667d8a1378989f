package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
)

// TestRejectsFedBackSameOut feeds migration's rejected rows back with the same -out (the
// "fix the rejected rows and rerun" flow) and with -rejects naming the input itself: the
// run reads the whole file, writes its new rejects in place of it once read, and keeps
// the version it replaced as NAME.<run_id>.EXT. Its parents never arrive here, so every
// row is rejected again: the new file must hold every row.
func TestRejectsFedBackSameOut(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	out := t.TempDir()
	// No projets nor intervenants: every affectation is rejected, a file far larger
	// than the reader's buffer.
	res := migration(t, dsn, "-out", out, "../../data_1/affectations.csv")
	if res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	rejects := filepath.Join(out, "rejets", "affectations.csv")
	first, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	n := len(readCSV(t, rejects)) - 1
	if n < 12000 {
		t.Fatalf("%d rows rejected, want every affectation", n)
	}

	check := func(t *testing.T, res result, path string, before []byte) {
		t.Helper()
		// Exit 1 the first time these rows are judged, 0 when they are still rejected.
		if res.code > 1 || !strings.Contains(res.stderr, "rejected "+strconv.Itoa(n)+",") {
			t.Fatalf("exit %d, want 0 or 1 and %d rejected: %s", res.code, n, res.stderr)
		}
		rep := readReport(t, out)
		if rep.Totals.Read != n {
			t.Errorf("read %d rows of %s, want %d", rep.Totals.Read, path, n)
		}
		if got := len(readCSV(t, path)) - 1; got != n {
			t.Errorf("%s holds %d rows after the run, want %d", path, got, n)
		}
		kept := filepath.Join(filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), ".csv")+"."+rep.RunID+".csv")
		if k, err := os.ReadFile(kept); err != nil || !bytes.Equal(k, before) {
			t.Errorf("the replaced %s is not kept as %s (%v)", path, kept, err)
		}
		leftovers(t, filepath.Dir(path))
	}
	t.Run("same -out", func(t *testing.T) {
		before, _ := os.ReadFile(rejects)
		check(t, migration(t, dsn, "-out", out, rejects), rejects, before)
	})
	t.Run("same -out, dry run", func(t *testing.T) {
		before, _ := os.ReadFile(rejects)
		check(t, migration(t, dsn, "-dry-run", "-out", out, rejects), rejects, before)
	})
	t.Run("-rejects F F", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "a_corriger.csv")
		os.WriteFile(f, first, 0o644)
		check(t, migration(t, dsn, "-out", out, "-entity", "affectations", "-rejects", f, f), f, first)
	})
	t.Run("-rejects F F, dry run", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "a_corriger.csv")
		os.WriteFile(f, first, 0o644)
		check(t, migration(t, dsn, "-dry-run", "-out", out, "-entity", "affectations", "-rejects", f, f), f, first)
	})
	t.Run("failed run", func(t *testing.T) {
		before, _ := os.ReadFile(rejects)
		res := migration(t, "root:secret@tcp(127.0.0.1:1)/x", "-out", out, "-entity", "affectations", rejects)
		if res.code != 2 {
			t.Fatalf("exit %d, want 2: %s", res.code, res.stderr)
		}
		if after, err := os.ReadFile(rejects); err != nil || !bytes.Equal(after, before) {
			t.Errorf("a failed run changed %s (%v)", rejects, err)
		}
		leftovers(t, filepath.Dir(rejects))
	})
	t.Run("log appended", func(t *testing.T) {
		log, _ := os.ReadFile(filepath.Join(out, "log.txt"))
		if runs := strings.Count(string(log), "action=run "); runs < 5 {
			t.Errorf("log.txt holds %d runs, want every run (appended, never truncated)", runs)
		}
	})
}

// leftovers fails when a temporary file of a run is left in dir.
func leftovers(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}
