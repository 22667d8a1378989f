package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

// TestMessagesSayWhereRowsWent: the closing line names where the rejected rows are
// (rejets/, the -rejects file, or stdout), standard input is called stdin in the report
// and the log, and -quiet prints nothing for a clean run. No database: -dry-run.
func TestMessagesSayWhereRowsWent(t *testing.T) {
	t.Parallel()
	noDSN := []string{"MARIADB_DSN="}
	projets, err := os.ReadFile(filepath.Join(repoRoot(t), "data_1", "projets.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	res := progtest.Run(t, noDSN, projets, "migration", "-dry-run", "-entity", "projets", "-rejects", "-", "-out", out, "-")
	last := lastLine(res.Stderr)
	if res.Code != 1 || !strings.HasSuffix(last, "rows rejected (written to stdout)") || !strings.HasPrefix(res.Stdout, "id_projet,") {
		t.Errorf("-rejects -: exit %d, last line %q; want the rows on stdout, said so", res.Code, last)
	}
	report, _ := os.ReadFile(filepath.Join(out, "rapport_reprise.txt"))
	log, _ := os.ReadFile(filepath.Join(out, "log.txt"))
	if !strings.Contains(string(report), "\nstdin (projets)") || strings.Contains(string(report), "- (projets)") ||
		!strings.Contains(string(log), "file=stdin") || strings.Contains(string(log), "file=- ") {
		t.Errorf("standard input is not called stdin:\n%s\n%s", report, log)
	}

	file := filepath.Join(dir, "projets_rejetes.csv")
	res = progtest.Run(t, noDSN, projets, "migration", "-dry-run", "-entity", "projets", "-rejects", file, "-out", out, "-")
	if last := lastLine(res.Stderr); res.Code != 1 || !strings.HasSuffix(last, "(see "+file+")") {
		t.Errorf("-rejects FILE: exit %d, last line %q; want (see %s)", res.Code, last, file)
	}
	res = progtest.Run(t, noDSN, projets, "migration", "-dry-run", "-entity", "projets", "-out", out, "-")
	if last := lastLine(res.Stderr); res.Code != 1 || !strings.HasSuffix(last, "(see "+filepath.Join(out, "rejets")+")") {
		t.Errorf("default: exit %d, last line %q; want (see %s/rejets)", res.Code, last, out)
	}

	clean := filepath.Join(dir, "clean")
	if res := progtest.Run(t, nil, nil, "generate_data", "-seed", "3", "-today", "2026-11-15", "-clients", "5", "-intervenants", "3",
		"-projets", "10", "-affectations", "20", "-out", clean, "-quiet"); res.Code != 0 || res.Stderr != "" {
		t.Fatalf("generate_data -quiet: exit %d, stderr %q", res.Code, res.Stderr)
	}
	res = progtest.Run(t, noDSN, nil, "migration", "-dry-run", "-quiet", "-today", "2026-11-15", "-out", out, clean)
	if res.Code != 0 || res.Stderr != "" {
		t.Errorf("-quiet on a clean run: exit %d, stderr %q; want 0 and nothing", res.Code, res.Stderr)
	}
}

// TestReportOneLinePerFile: a distributech run over many weekly files gives one line
// per file and details only for the files with rejected rows; the SQLite tables are
// labelled as tables, not with a CSV dialect.
func TestReportOneLinePerFile(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "dt")
	if res := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "2", "-today", "2026-11-15",
		"-revendeurs", "6", "-produits", "20", "-weeks", "3", "-defects", "0.02", "-out", data, "-quiet"); res.Code != 0 {
		t.Fatalf("generate_data: exit %d: %s", res.Code, res.Stderr)
	}
	out := t.TempDir()
	res := progtest.Run(t, []string{"MARIADB_DSN="}, nil, "migration", "-domain", "distributech", "-dry-run", "-today", "2026-11-15", "-out", out, data)
	if res.Code > 1 {
		t.Fatalf("migration: exit %d: %s", res.Code, res.Stderr)
	}
	text, _ := os.ReadFile(filepath.Join(out, "rapport_reprise.txt"))
	weekly, _ := filepath.Glob(filepath.Join(data, "commandes", "*.csv"))
	sections := strings.Split(string(text), "\n\n")
	var files []string
	for _, s := range sections {
		if strings.HasPrefix(s, "Files\n") {
			files = strings.Split(strings.TrimPrefix(s, "Files\n"), "\n")
		}
	}
	if len(files) != len(weekly)+5 {
		t.Fatalf("Files section: %d lines, want %d (5 tables and %d weekly files):\n%s", len(files), len(weekly)+5, len(weekly), text)
	}
	details := 0
	for _, l := range files {
		name := strings.Fields(l)[0]
		withDetails := strings.Contains(string(text), "\n\n"+name+" (")
		if strings.Contains(l, " rejected 0,") == withDetails && !strings.Contains(l, "warning") {
			t.Errorf("%s: details %v, line %q: want details only for files with rejected rows", name, withDetails, l)
		}
		if withDetails {
			details++
		}
		if strings.Contains(name, ".sqlite:") != strings.HasSuffix(l, "[SQLite table]") {
			t.Errorf("%q: a SQLite table is labelled as such, a file by its dialect", l)
		}
	}
	if details == 0 || details == len(files) {
		t.Errorf("%d of %d files with details; want some, not all (defects 0.02)", details, len(files))
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
