package main

import (
	"flag"
	"path/filepath"
	"testing"

	"dmt/pkg/progtest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the programs write (go test -run Golden -update)")

// TestGoldenFixture: every file analyse_stock writes over the fixture (stock state,
// weekly evolution, the SVG chart and the HTML page, the Excel dialect on stdout), line
// by line, compared with testdata/golden/fixture (masked: progtest.Masker).
func TestGoldenFixture(t *testing.T) {
	t.Parallel()
	dsn := fixture(t)
	base := t.TempDir()
	g := &progtest.Golden{Dir: filepath.Join("testdata", "golden", "fixture"), Update: *update, Mask: progtest.NewMasker(dsn, base)}
	out := filepath.Join(base, "out")
	g.Program(t, "1-svg", 0, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-chart", "svg", "-out", filepath.Join(out, "svg"))
	g.Program(t, "2-html", 0, "analyse_stock", "-dsn", dsn, "-at", "2026-03-15", "-chart", "html", "-out", filepath.Join(out, "html"))
	g.Program(t, "3-excel-etat-stdout", 0, "analyse_stock", "-dsn", dsn, "-at", "2026-02-28", "-excel", "-etat", "-")
	g.Tree(t, "out", out)
}
