package migrate

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/model"
)

// TestOpenHoldsOneReader opens 50 weekly order files and runs them (a dry run
// on the files alone): Open checks every header but holds no file's reader afterwards,
// the run holds the reader of the file it reads and none other, and lets each go when
// its file is read. Each file, read again from its start, is accounted whole. A reader
// holds a 64 KiB buffer: 12,000 weekly files held at once took 800 MB.
func TestOpenHoldsOneReader(t *testing.T) {
	d := domain.Distributech()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "commandes"), 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 50
	for i := range n {
		csv := "numero_commande,id_revendeur,date_commande,ref_produit,quantite,prix_unitaire\n" +
			fmt.Sprintf("CMD-%d,1,2026-01-05,SMA-0001,2,9.90\nCMD-%d,1,2026-01-05,SMA-0002,1,19.90\n", i, i)
		name := filepath.Join(dir, "commandes", fmt.Sprintf("commandes_2026-W02_R%03d.csv", i))
		if err := os.WriteFile(name, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var all []*Source
	var closers []func()
	for i := range n {
		s, c, err := Resolve(d, filepath.Join(dir, "commandes", fmt.Sprintf("commandes_2026-W02_R%03d.csv", i)), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		all, closers = append(all, s...), append(closers, c)
	}
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	files, err := Open(all)
	if err != nil {
		t.Fatal(err)
	}
	held := func() (names []string) { // the first three
		for _, f := range files {
			if f.r != nil && len(names) < 3 {
				names = append(names, f.src.Name)
			}
		}
		return names
	}
	if h := held(); len(h) > 0 {
		t.Errorf("after Open, readers are held: %v...", h)
	}
	progress := 0
	opt := Options{RunID: "20260101T000000Z-000000", Tool: "migration", DryRun: true,
		Checker: check.New(d, model.NewDate(time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC))),
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)), Rejects: &rejectsKept{},
		Progress: func(file string, _, _ int64) {
			progress++
			if h := held(); len(h) != 1 || h[0] != file {
				t.Errorf("while reading %s, the readers held are those of %v", file, h)
			}
		}}
	reps, err := Run(context.Background(), opt, files)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if progress < n {
		t.Errorf("progress called %d times, want at least once a file (%d)", progress, n)
	}
	if h := held(); len(h) > 0 {
		t.Errorf("after Run, readers are held: %v...", h)
	}
	for _, rep := range reps {
		if rep.Read != 2 || !strings.HasPrefix(rep.Dialect, "utf-8") {
			t.Errorf("%s: read %d rows, dialect %q; want 2 rows, utf-8", rep.File, rep.Read, rep.Dialect)
		}
	}
}
