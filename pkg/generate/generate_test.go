package generate_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
	"dmt/pkg/generate"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

var today = model.Date{Year: 2026, Month: time.November, Day: 15}

func small(seed uint64, defects float64) generate.Config {
	return generate.Config{Seed: seed, Clients: 120, Intervenants: 40, Projets: 500, Affectations: 2500,
		Defects: defects, Corrupt: 60, Today: today}
}

func mustRun(tb testing.TB, cfg generate.Config) string {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := generate.Run(context.Background(), cfg, dir); err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return dir
}

func TestDeterministic(t *testing.T) {
	for _, agencies := range []bool{false, true} {
		cfg := small(7, 0.05)
		cfg.Agencies = agencies
		a, b := mustRun(t, cfg), mustRun(t, cfg)
		cfg.Seed = 8
		c := mustRun(t, cfg)
		entries, _ := os.ReadDir(a)
		if len(entries) < 5 {
			t.Fatalf("only %d files written", len(entries))
		}
		for _, e := range entries {
			x, _ := os.ReadFile(filepath.Join(a, e.Name()))
			y, _ := os.ReadFile(filepath.Join(b, e.Name()))
			z, _ := os.ReadFile(filepath.Join(c, e.Name()))
			if !bytes.Equal(x, y) {
				t.Errorf("%s differs between two runs with the same seed", e.Name())
			}
			if bytes.Equal(x, z) {
				t.Errorf("%s is the same with another seed", e.Name())
			}
		}
	}
}

// verdict is what the checker said of one line.
type verdict struct {
	outcome check.Outcome
	codes   []rules.Code
}

// judge runs every file of the domain in dir through the checker, line by line.
func judge(t *testing.T, dir string) map[string]map[int]verdict {
	t.Helper()
	d := domain.Clevity()
	c := check.New(d, today)
	out := map[string]map[int]verdict{}
	for _, e := range d.Entities {
		f, err := os.Open(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		out[e.File] = judgeFile(t, c, e, e.File, f)
		f.Close()
	}
	return out
}

// judgeFile runs one CSV stream of entity e through c and returns each line's verdict.
func judgeFile(t *testing.T, c *check.Checker, e *domain.Entity, name string, r io.Reader) map[int]verdict {
	t.Helper()
	cr, err := csvfile.NewReader(r)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m, err := csvfile.MapHeader(cr.Header(), e.Columns(), e.Required())
	if err != nil || len(m.Unknown) > 0 {
		t.Fatalf("%s header: %v %v", name, err, m.Unknown)
	}
	lines := map[int]verdict{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return lines
		}
		var pe *csvfile.ParseError
		if errors.As(err, &pe) {
			lines[pe.Line] = verdict{check.Reject, []rules.Code{rules.MalformedRow}}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		raw := make([]string, len(m.Index))
		for i, j := range m.Index {
			raw[i] = rec.Fields[j]
		}
		res := c.Check(e, rec.Line, raw)
		lines[rec.Line] = verdict{res.Outcome, res.Codes()}
	}
}

type manifestRow struct {
	file   string
	line   int
	code   rules.Code
	expect string
}

func readManifest(t *testing.T, path string) []manifestRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := csvfile.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Header(), []string{"file", "line", "id", "column", "code", "expect", "detail"}) {
		t.Fatalf("manifest header %q", r.Header())
	}
	var rows []manifestRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		line, _ := strconv.Atoi(rec.Fields[1])
		rows = append(rows, manifestRow{rec.Fields[0], line, rules.Code(rec.Fields[4]), rec.Fields[5]})
	}
}

// TestCleanPassesEveryRule: without defects, every line of every file is accepted.
func TestCleanPassesEveryRule(t *testing.T) {
	for _, agencies := range []bool{false, true} {
		cfg := small(3, 0)
		cfg.Agencies = agencies
		dir := mustRun(t, cfg)
		for file, lines := range judge(t, dir) {
			if len(lines) == 0 {
				t.Errorf("%s: no rows", file)
			}
			for line, v := range lines {
				if v.outcome != check.Accept {
					t.Errorf("agencies=%v %s line %d: %v %v, want accepted", agencies, file, line, v.outcome, v.codes)
				}
			}
		}
		if m := readManifest(t, filepath.Join(dir, "defects.csv")); len(m) != 0 {
			t.Errorf("clean run lists %d defects", len(m))
		}
	}
}

// TestManifestIsTheTruth: every listed defect is at its line with its code and
// outcome, and every other line is accepted.
func TestManifestIsTheTruth(t *testing.T) {
	for _, agencies := range []bool{false, true} {
		cfg := small(11, 0.15)
		cfg.Agencies = agencies
		dir := mustRun(t, cfg)
		got := judge(t, dir)
		manifest := readManifest(t, filepath.Join(dir, "defects.csv"))
		listed := map[string]map[int]bool{}
		codes := map[rules.Code]int{}
		for _, m := range manifest {
			if listed[m.file] == nil {
				listed[m.file] = map[int]bool{}
			}
			listed[m.file][m.line] = true
			codes[m.code]++
			v, ok := got[m.file][m.line]
			if !ok {
				t.Errorf("%s line %d (%s) was not read", m.file, m.line, m.code)
				continue
			}
			want := map[string]check.Outcome{generate.ExpectAccept: check.Accept, generate.ExpectReject: check.Reject, generate.ExpectIgnore: check.Ignore}[m.expect]
			if v.outcome != want {
				t.Errorf("agencies=%v %s line %d: %v %v, manifest says %s %s", agencies, m.file, m.line, v.outcome, v.codes, m.expect, m.code)
				continue
			}
			if m.code != generate.FormVariant && !slices.Contains(v.codes, m.code) {
				t.Errorf("agencies=%v %s line %d: codes %v, manifest says %s", agencies, m.file, m.line, v.codes, m.code)
			}
		}
		for file, lines := range got {
			for line, v := range lines {
				if !listed[file][line] && v.outcome != check.Accept {
					t.Errorf("agencies=%v %s line %d: %v %v but not in the manifest", agencies, file, line, v.outcome, v.codes)
				}
			}
		}
		for _, c := range []rules.Code{rules.MalformedRow, rules.MissingRequired, rules.TooLong, rules.BadInteger, rules.BadDecimal,
			rules.BadDate, rules.DateInFuture, rules.BadEmail, rules.BadEnum, rules.OutOfRange, rules.DateOrder, rules.EndDateRequired,
			rules.SatisfactionNotAllowed, rules.UnknownReference, rules.EmailTaken, rules.DuplicateRow, rules.DuplicateKeyConflict,
			rules.SiteNotInProject, rules.OutsideProjectDates, generate.FormVariant} {
			if codes[c] == 0 {
				t.Errorf("agencies=%v: no %s defect generated", agencies, c)
			}
		}
	}
}

// TestCorruptManifest: each row of projets_corrompus.csv is refused as written (or
// ignored, for copies of loaded projects); with the manifest's expected value in place,
// every correctable row passes, and isolated rows carry their code.
func TestCorruptManifest(t *testing.T) {
	cfg := small(5, 0)
	dir := mustRun(t, cfg)
	d := domain.Clevity()
	c := check.New(d, today)
	for _, e := range d.Entities { // the main files are loaded first
		f, _ := os.Open(filepath.Join(dir, e.File))
		r, _ := csvfile.NewReader(f)
		for {
			rec, err := r.Read()
			if err != nil {
				break
			}
			if res := c.Check(e, rec.Line, rec.Fields); res.Outcome != check.Accept {
				t.Fatalf("%s line %d: %v", e.File, rec.Line, res.Violations)
			}
		}
		f.Close()
	}
	f, err := os.Open(filepath.Join(dir, "projets_corrompus.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, _ := csvfile.NewReader(f)
	rows := map[int][]string{}
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		rows[rec.Line] = rec.Fields
	}
	mf, _ := os.Open(filepath.Join(dir, "projets_corrompus_manifest.csv"))
	defer mf.Close()
	mr, _ := csvfile.NewReader(mf)
	projets := d.Entity("projets")
	seen := map[string]int{}
	n := 0
	for {
		rec, err := mr.Read()
		if err != nil {
			break
		}
		n++
		line, _ := strconv.Atoi(rec.Fields[0])
		column, code, expect, expected := rec.Fields[2], rules.Code(rec.Fields[3]), rec.Fields[4], rec.Fields[6]
		seen[expect]++
		row := rows[line]
		if row == nil {
			t.Fatalf("manifest line %d: no such row", line)
		}
		// A throwaway checker that knows the main files, so rows do not meet each other.
		res := c.Check(projets, line, row)
		switch expect {
		case ExpectIgnoredForTest:
			if res.Outcome != check.Ignore {
				t.Errorf("line %d: %v %v, want ignored", line, res.Outcome, res.Codes())
			}
		case generate.ExpectIsolated:
			if res.Outcome != check.Reject || !res.Has(code) {
				t.Errorf("line %d: %v %v, want rejected with %s", line, res.Outcome, res.Codes(), code)
			}
		case generate.ExpectCorrected:
			if res.Outcome != check.Reject {
				t.Errorf("line %d: accepted as written, but listed as corrupt", line)
			}
			fixed := slices.Clone(row)
			fixed[projets.Index(column)] = expected
			if res := c.Check(projets, line, fixed); res.Outcome != check.Accept {
				t.Errorf("line %d: corrected row %q still refused: %v", line, fixed, res.Violations)
			}
		default:
			t.Errorf("line %d: unknown expectation %q", line, expect)
		}
	}
	if n != cfg.Corrupt {
		t.Errorf("manifest has %d rows, want %d", n, cfg.Corrupt)
	}
	if seen[generate.ExpectCorrected] < n/3 || seen[generate.ExpectIsolated] < n/6 {
		t.Errorf("mix of expectations %v", seen)
	}
}

const ExpectIgnoredForTest = generate.ExpectIgnored
