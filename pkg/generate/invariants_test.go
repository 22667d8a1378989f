package generate_test

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dmt/pkg/check"
	"dmt/pkg/generate"
	"dmt/pkg/rules"
)

// TestCountsAsAsked: each file holds the ids 1 to the count asked, each once, plus the
// copies the manifest lists as DUPLICATE_ROW or DUPLICATE_KEY_CONFLICT, and nothing
// else; the accepted affectations never share their key (projet, intervenant, role,
// date_debut).
func TestCountsAsAsked(t *testing.T) {
	cfg := small(13, 0.1)
	dir := mustRun(t, cfg)
	copies := map[string]int{}
	for _, m := range readManifest(t, filepath.Join(dir, "defects.csv")) {
		if m.code == rules.DuplicateRow || m.code == rules.DuplicateKeyConflict {
			copies[m.file]++
		}
	}
	got := judge(t, dir)
	for file, want := range map[string]int{"clients.csv": cfg.Clients, "intervenants.csv": cfg.Intervenants,
		"projets.csv": cfg.Projets, "affectations.csv": cfg.Affectations} {
		rows := readRows(t, filepath.Join(dir, file))
		if len(rows) != want+copies[file] {
			t.Errorf("%s: %d rows, want %d asked + %d listed copies", file, len(rows), want, copies[file])
		}
		ids := map[string]int{}
		for _, r := range rows {
			ids[strings.TrimSuffix(r[0], "a")]++ // a BAD_INTEGER id is the id with a letter added
		}
		for id := 1; id <= want; id++ {
			if ids[strconv.Itoa(id)] == 0 {
				t.Errorf("%s: id %d missing", file, id)
			}
		}
		if file != "affectations.csv" {
			continue
		}
		keys := map[string]int{}
		for i, r := range rows {
			if got[file][i+2].outcome != check.Accept {
				continue
			}
			role := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(r[3])), " ", "_")
			k := strings.Join([]string{r[1], r[2], role, r[5][:min(10, len(r[5]))]}, "|")
			if prev, dup := keys[k]; dup {
				t.Errorf("affectations lines %d and %d share the key %s", prev, i+2, k)
			}
			keys[k] = i + 2
		}
	}
	if n := len(readRows(t, filepath.Join(dir, "projets_corrompus.csv"))); n != cfg.Corrupt {
		t.Errorf("projets_corrompus.csv: %d rows, want %d", n, cfg.Corrupt)
	}
}

// readRows returns the records of a generated CSV file in the canonical dialect, header
// left out; a malformed row comes with the fields it has.
func readRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return rows[1:]
}

var onlyCount = regexp.MustCompile(`^only (\d+) distinct affectations possible with these parents`)

// TestAffectationsBounded: parents too small for the affectations asked make Run fail
// at once, saying how many are possible; asking exactly that many fills every key, each
// once, every row valid.
func TestAffectationsBounded(t *testing.T) {
	cfg := generate.Config{Seed: 4, Clients: 1, Intervenants: 1, Projets: 1, Affectations: 2000, Today: today}
	_, err := generate.Run(context.Background(), cfg, t.TempDir())
	m := onlyCount.FindStringSubmatch(errString(err))
	if m == nil {
		t.Fatalf("Run with 1 projet and 1 intervenant for 2000 affectations: %v; want only N distinct affectations possible", err)
	}
	n, _ := strconv.Atoi(m[1])
	if n < 2 || n >= 2000 {
		t.Fatalf("capacity %d", n)
	}
	cfg.Affectations = n
	dir := mustRun(t, cfg)
	lines := judge(t, dir)["affectations.csv"]
	if len(lines) != n {
		t.Errorf("%d affectations written, want %d", len(lines), n)
	}
	for line, v := range lines {
		if v.outcome != check.Accept {
			t.Errorf("affectations line %d: %v %v", line, v.outcome, v.codes)
		}
	}
	cfg.Affectations = n + 1
	if _, err := generate.Run(context.Background(), cfg, t.TempDir()); !strings.Contains(errString(err), "only "+m[1]+" distinct") {
		t.Errorf("one more than possible: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestCancelledRunLeavesTheFolder: a run whose context is cancelled returns its error and
// leaves the folder as it was: the earlier files untouched, no new file, no stage.
func TestCancelledRunLeavesTheFolder(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, run := range map[string]func(dir string) error{
		"clevity": func(dir string) error { _, err := generate.Run(ctx, small(1, 0.05), dir); return err },
		"distributech": func(dir string) error {
			_, err := generate.RunDistributech(ctx, distributech(1, 0.05), dir)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "clients.csv"), []byte("earlier\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "defects.csv"), []byte("earlier\n"), 0o644)
			if err := run(dir); !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, []string{"clients.csv", "defects.csv"}) {
				t.Errorf("folder holds %q, want only the earlier files", names)
			}
			for _, f := range names {
				if b, _ := os.ReadFile(filepath.Join(dir, f)); string(b) != "earlier\n" {
					t.Errorf("%s changed: %q", f, b)
				}
			}
		})
	}
}
