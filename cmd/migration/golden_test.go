package main

import (
	"flag"
	"path/filepath"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the programs write (go test -run Golden -update)")

// goldenRun runs prog with args, fails unless it exits with code, and compares its
// console output with the golden file step.
func goldenRun(t *testing.T, g *progtest.Golden, step string, code int, prog string, args ...string) {
	t.Helper()
	res := progtest.Run(t, nil, nil, prog, args...)
	if res.Code != code {
		t.Errorf("%s: exit %d, want %d: %s", step, res.Code, code, res.Stderr)
	}
	g.Run(t, step, res)
}

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
	goldenRun(t, g, "0-generate_data", 0, "generate_data", "-seed", "7", "-today", "2026-11-15", "-clients", "20",
		"-intervenants", "8", "-projets", "30", "-affectations", "80", "-defects", "0.3", "-agencies", "-out", in)
	goldenRun(t, g, "1-migration", 1, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", out, in)
	goldenRun(t, g, "2-migration-again", 0, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", out, in)
	goldenRun(t, g, "3-migration-dry-run", 1, "migration", "-dry-run", "-today", "2026-11-15", "-out", dry, in)
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
	goldenRun(t, g, "0-generate_data", 0, "generate_data", "-domain", "distributech", "-seed", "3", "-today", "2026-11-15",
		"-regions", "2", "-revendeurs", "4", "-produits", "12", "-weeks", "2", "-defects", "0.15", "-out", in)
	goldenRun(t, g, "1-migration", 1, "migration", "-domain", "distributech", "-dsn", dsn, "-today", "2026-11-15", "-out", out, in)
	g.Tree(t, "out", out)
}
