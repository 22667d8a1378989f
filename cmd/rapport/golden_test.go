package main

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestGoldenClevity: the Markdown and HTML of the final report over a whole clevity
// pipeline (migration with rejects, reprise, validate), line by line, compared with
// testdata/golden/clevity (masked: progtest.Masker). go test -run Golden -update
// rewrites them (the same -update as the screenshots', which -run Golden leaves alone).
func TestGoldenClevity(t *testing.T) {
	t.Parallel()
	dsn := mariadbtest.NewDatabase(t)
	base := t.TempDir()
	mask := progtest.NewMasker(dsn, base)
	// The summary line ends with the last validation's date, and the grid of the
	// validations names each by its date: the machine's today (or tomorrow, for a test
	// run across midnight).
	for _, day := range []time.Time{time.Now().UTC(), time.Now().UTC().Add(time.Hour)} {
		d := day.Format(time.DateOnly)
		mask.Replace("last validation PASS on "+d, "last validation PASS on {TODAY}")
		mask.Replace("<title>"+d+" : ", "<title>{TODAY} : ")
		mask.Replace(">"+d+"</text>", ">{TODAY}</text>")
	}
	// The timeline of the runs places each run at its start time: its geometry changes
	// with every test run, the rest of the page does not.
	mask.Pattern(regexp.MustCompile(`(?s)<svg [^>]*class="chart timeline".*?</svg>`), "{TIMELINE}")
	g := &progtest.Golden{Dir: filepath.Join("testdata", "golden", "clevity"), Update: *update, Mask: mask}
	in, out := filepath.Join(base, "in"), filepath.Join(base, "out")
	g.Program(t, "0-generate_data", 0, "generate_data", "-seed", "7", "-today", today, "-clients", "20",
		"-intervenants", "8", "-projets", "30", "-affectations", "80", "-defects", "0.3", "-corrupt", "16", "-agencies", "-out", in)
	g.Program(t, "1-migration", 1, "migration", "-dsn", dsn, "-today", today, "-out", filepath.Join(base, "migration"), in)
	g.Program(t, "2-reprise", 1, "reprise", "-dsn", dsn, "-today", today, "-out", filepath.Join(base, "reprise"),
		filepath.Join(in, "projets_corrompus.csv"))
	g.Program(t, "3-validate", 0, "validate", "-dsn", dsn, "-today", today, "-out", filepath.Join(base, "validate"))
	g.Program(t, "4-rapport", 0, "rapport", "-dsn", dsn, "-today", today, "-out", out)
	g.Tree(t, "out", out)
}
