package main

import (
	"flag"
	"path/filepath"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the programs write (go test -run Golden -update)")

// TestGoldenReprise: every file reprise writes, line by line, compared with
// testdata/golden/clevity (masked: progtest.Masker). A clevity sample is migrated, then
// reprise takes the corrupted projects file (corrected, isolated, re-injected,
// ignored), migration's rejected affectations, and its own quarantine fed back
// unchanged (the reports and quarantine it replaces are kept under the run's id).
func TestGoldenReprise(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	base := t.TempDir()
	g := &progtest.Golden{Dir: filepath.Join("testdata", "golden", "clevity"), Update: *update, Mask: progtest.NewMasker(dsn, base)}
	in, mig, out := filepath.Join(base, "in"), filepath.Join(base, "migration"), filepath.Join(base, "out")
	g.Program(t, "0-generate_data", 0, "generate_data", "-seed", "7", "-today", "2026-11-15", "-clients", "20",
		"-intervenants", "8", "-projets", "30", "-affectations", "80", "-defects", "0.3", "-corrupt", "16", "-out", in)
	g.Program(t, "1-migration", 1, "migration", "-dsn", dsn, "-today", "2026-11-15", "-out", mig, in)
	g.Program(t, "2-reprise-corrompus", 1, "reprise", "-dsn", dsn, "-today", "2026-11-15", "-out", out,
		filepath.Join(in, "projets_corrompus.csv"))
	g.Program(t, "3-reprise-rejets", 1, "reprise", "-dsn", dsn, "-today", "2026-11-15", "-out", out,
		filepath.Join(mig, "rejets", "affectations.csv"))
	g.Program(t, "4-reprise-quarantaine", 1, "reprise", "-dsn", dsn, "-today", "2026-11-15", "-out", out,
		filepath.Join(out, "quarantaine_projets.csv"))
	g.Tree(t, "out", out)
}
