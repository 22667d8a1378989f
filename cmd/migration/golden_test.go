package main

import (
	"flag"
	"path/filepath"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the programs write (go test -run Golden -update)")

// TestGoldenClevity: every file migration writes for a clevity sample with defects of
// most codes, line by line: the first run (rejects, reports, log), the same run again
// (rows still rejected, reports and rejects kept under the first run's id) and a dry
// run without a database, compared with testdata/golden/clevity (masked: progtest.Masker).
func TestGoldenClevity(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	base := t.TempDir()
	g := &progtest.Golden{Dir: filepath.Join("testdata", "golden", "clevity"), Update: *update, Mask: progtest.NewMasker(dsn, base)}
	in, out, dry := filepath.Join(base, "in"), filepath.Join(base, "out"), filepath.Join(base, "dry")
	g.Program(t, "0-generate_data", 0, "generate_data", "-seed", "7", "-today", "2026-11-15", "-clients", "20",
		"-intervenants", "8", "-projets", "30", "-affectations", "80", "-defects", "0.3", "-agencies", "-out", in)
	g.Program(t, "1-migration", 1, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", out, in)
	g.Program(t, "2-migration-again", 0, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", out, in)
	g.Program(t, "3-migration-dry-run", 1, "migration", "-dry-run", "-today", "2026-11-15", "-out", dry, in)
	g.Tree(t, "out", out)
	g.Tree(t, "dry", dry)
}

// TestGoldenDistributech: the same for a distributech sample (SQLite tables and weekly
// order files), compared with testdata/golden/distributech.
func TestGoldenDistributech(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	base := t.TempDir()
	g := &progtest.Golden{Dir: filepath.Join("testdata", "golden", "distributech"), Update: *update, Mask: progtest.NewMasker(dsn, base)}
	in, out := filepath.Join(base, "in"), filepath.Join(base, "out")
	g.Program(t, "0-generate_data", 0, "generate_data", "-domain", "distributech", "-seed", "3", "-today", "2026-11-15",
		"-regions", "2", "-revendeurs", "4", "-produits", "12", "-weeks", "2", "-defects", "0.15", "-out", in)
	g.Program(t, "1-migration", 1, "migration", "-domain", "distributech", "-dsn", dsn, "-today", "2026-11-15", "-out", out, in)
	g.Tree(t, "out", out)
}
