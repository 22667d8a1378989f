package main

import (
	"compress/gzip"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the programs write (go test -run Golden -update)")

// TestGoldenDump: the SQL of a dump of a migrated clevity sample (tables, constraints,
// views, rows, the journal), line by line, compared with testdata/golden/clevity
// (masked: progtest.Masker, and below). The dump's name and its .sha256 are checked
// for their form. A dump is mariadb-dump's text: a new version of Debian's
// mariadb-client that writes it differently shows here, to be reviewed and rewritten
// with -update.
func TestGoldenDump(t *testing.T) {
	t.Parallel()
	requireDumpTool(t)
	dsn := mariadbtest.NewDatabase(t)
	base := t.TempDir()
	mask := progtest.NewMasker(dsn, base)
	// Volatile in a dump only: the versions of the client and of the server, the
	// server's host, the test account that defined the views, the machine that ran the
	// programs (journal, run lease), the run lease's process id; and the gzip's digest
	// and size, which hold the dump's date.
	mask.Pattern(regexp.MustCompile(`(?m)^(-- MariaDB dump|-- Server version).*$`), "${1} {VERSION}")
	mask.Pattern(regexp.MustCompile(`(?m)^-- Host: \S+`), "-- Host: {HOST}")
	mask.Pattern(regexp.MustCompile("DEFINER=`[^`]*`@`[^`]*`"), "DEFINER={ACCOUNT}")
	if host, err := os.Hostname(); err == nil {
		mask.Replace("'"+host+"'", "'{HOST}'")
	}
	mask.Pattern(regexp.MustCompile(`(?m)^(\('load','\{RUN_\d+\}','\w+','\{HOST\}',)\d+,`), "${1}{PID},")
	mask.Pattern(regexp.MustCompile(`\b[0-9a-f]{64}  export_`), "{SHA256}  export_")
	mask.Pattern(regexp.MustCompile(`written \([0-9.]+ [KMG]?i?B, sha256 [0-9a-f]{12}\)`), "written ({SIZE}, sha256 {SHA256})")
	g := &progtest.Golden{Dir: filepath.Join("testdata", "golden", "clevity"), Update: *update, Mask: mask}
	in, out := filepath.Join(base, "in"), filepath.Join(base, "out")
	g.Program(t, "0-generate_data", 0, "generate_data", "-seed", "7", "-today", today, "-clients", "8",
		"-intervenants", "4", "-projets", "10", "-affectations", "20", "-defects", "0.2", "-out", in)
	g.Program(t, "1-migration", 1, "migration", "-dsn", dsn, "-today", today, "-out", filepath.Join(base, "migration"), in)
	progtest.NextSecond() // the journal's rows are dumped in the order of their run ids
	g.Program(t, "2-export_sql", 0, "export_sql", "-dsn", dsn, "-verify", "-out", out)
	dump := exported(t, out)
	g.File(t, "out/export.sha256", dump+".sha256")
	f, err := os.Open(dump)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sql, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	sqlPath := filepath.Join(base, "export.sql")
	if err := os.WriteFile(sqlPath, sql, 0o644); err != nil {
		t.Fatal(err)
	}
	g.File(t, "out/export.sql", sqlPath)
}
