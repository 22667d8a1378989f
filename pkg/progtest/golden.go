package progtest

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Masker replaces the parts of a program's output that change from run to run by
// fixed placeholders, so that the rest can be compared byte for byte with a golden
// file. It is the one normaliser of the golden tests; what it masks, in this order:
//
//   - the literals given to Replace (temporary folders, the test database's address and
//     name), longest first: {TMP}, {ADDR}, {DB}, ...;
//   - run ids (20261115T093000Z-1a2b3c): {RUN_1}, {RUN_2}... numbered in the order the
//     Masker first sees them, so that "unchanged since run {RUN_1}" still says which run;
//   - date-times (2026-11-15T09:30:00.123Z, 2026-11-15 09:30 UTC, mariadb-dump's
//     "2026-11-15  9:30:00"): {TIME}; a plain date (2026-11-15) is data and is kept;
//   - compact time stamps of file names (20261115-093000): {STAMP};
//   - throughputs (195 rows/s): {N} rows/s;
//   - durations (0.24 s, 0,0 s, 7ms, 1.5µs, duration_seconds 0.2409, seconds=0.24): {DUR};
//   - then the test's own rules (Pattern), for what only its program makes volatile.
//
// Everything else (counts, codes, sha256 of inputs, dates of the data, wording, line
// order) is left as written and compared byte for byte. A test masks each run's console
// output (Golden.Run) right after the run, so that run ids are numbered in the order
// the runs happened.
type Masker struct {
	literals [][2]string
	runs     map[string]string
	extra    []maskPattern
}

// NewMasker returns a Masker that knows the test database dsn names (its address becomes
// {ADDR}, its name {DB}) and the temporary folder tmp ({TMP}); either may be empty.
func NewMasker(dsn, tmp string) *Masker {
	m := &Masker{runs: map[string]string{}}
	if tmp != "" {
		m.Replace(tmp, "{TMP}")
	}
	if cfg, err := mysql.ParseDSN(dsn); dsn != "" && err == nil {
		m.Replace(cfg.Addr, "{ADDR}")
		m.Replace(cfg.DBName, "{DB}")
	}
	return m
}

// Replace adds a literal to mask: every old becomes placeholder.
func (m *Masker) Replace(old, placeholder string) {
	if old == "" {
		return
	}
	m.literals = append(m.literals, [2]string{old, placeholder})
	// Longest first, so that a folder is masked before a folder it holds is cut short.
	slices.SortStableFunc(m.literals, func(a, b [2]string) int { return len(b[0]) - len(a[0]) })
}

type maskPattern struct {
	re   *regexp.Regexp
	with string
}

// Pattern adds a rule of the test's own, applied after the others: every match of re
// becomes with (regexp.ReplaceAllString). A test uses it for a part that is volatile
// only in its program's output, and says why beside the call.
func (m *Masker) Pattern(re *regexp.Regexp, with string) {
	m.extra = append(m.extra, maskPattern{re, with})
}

var (
	runIDPattern   = regexp.MustCompile(`\d{8}T\d{6}Z-[0-9a-f]{6}`)
	maskedPatterns = []maskPattern{
		{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}(?:T| +)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z| ?UTC|[+-]\d{2}:\d{2})?`), "{TIME}"},
		{regexp.MustCompile(`(^|\D)\d{8}-\d{6}(\D|$)`), "${1}{STAMP}${2}"},
		{regexp.MustCompile(`\b\d+(?:[.,]\d+)? rows/s\b`), "{N} rows/s"},
		{regexp.MustCompile(`((?:duration_)?seconds"?[:=] ?)[0-9][0-9.eE+-]*`), "${1}{DUR}"},
		{regexp.MustCompile(`\b\d+(?:[.,]\d+)? ?(?:ns|µs|ms|s)\b`), "{DUR}"},
	}
)

// Mask returns s with its volatile parts replaced (see Masker).
func (m *Masker) Mask(s string) string {
	for _, l := range m.literals {
		s = strings.ReplaceAll(s, l[0], l[1])
	}
	s = runIDPattern.ReplaceAllStringFunc(s, func(id string) string {
		if p, ok := m.runs[id]; ok {
			return p
		}
		p := fmt.Sprintf("{RUN_%d}", len(m.runs)+1)
		m.runs[id] = p
		return p
	})
	for _, p := range append(maskedPatterns, m.extra...) {
		s = p.re.ReplaceAllString(s, p.with)
	}
	return s
}

// Golden compares what programs wrote, masked, with the files of a golden folder
// (testdata/golden/<case>/, NAME.golden each), in the manner of gofmt's tests: with
// Update set (go test -run Golden -update), it writes them instead. A difference fails
// the test with a line diff and the command that rewrites the files once the change is
// wanted.
type Golden struct {
	Dir    string
	Update bool
	Mask   *Masker
}

// Run compares a program run's exit status, stdout and stderr with NAME.golden.
func (g *Golden) Run(tb testing.TB, name string, r Result) {
	tb.Helper()
	g.check(tb, name, fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", r.Code, r.Stdout, r.Stderr))
}

// Program runs the built program prog with args as Run does, fails the test unless it
// exits with code, and compares its console output with STEP.golden.
func (g *Golden) Program(tb testing.TB, step string, code int, prog string, args ...string) Result {
	tb.Helper()
	res := Run(tb, nil, nil, prog, args...)
	if res.Code != code {
		tb.Errorf("%s: exit %d, want %d: %s", step, res.Code, code, res.Stderr)
	}
	g.Run(tb, step, res)
	return res
}

// File compares the file at path with NAME.golden.
func (g *Golden) File(tb testing.TB, name, path string) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	g.check(tb, name, string(b))
}

// Tree compares every file under dir with NAME/<its path, masked>.golden: a file
// written but not in the golden folder, or in it but not written, fails too. With
// Update, NAME/ is written afresh.
func (g *Golden) Tree(tb testing.TB, name, dir string) {
	tb.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b, err := os.ReadFile(path)
		got[filepath.ToSlash(g.Mask.Mask(rel))] = string(b)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	root := filepath.Join(g.Dir, name)
	if g.Update {
		if err := os.RemoveAll(root); err != nil {
			tb.Fatal(err)
		}
	}
	want := map[string]bool{}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".golden") {
			rel, _ := filepath.Rel(root, strings.TrimSuffix(path, ".golden"))
			want[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	for _, rel := range slices.Sorted(maps.Keys(got)) {
		g.check(tb, name+"/"+rel, got[rel])
		delete(want, rel)
	}
	for _, rel := range slices.Sorted(maps.Keys(want)) {
		tb.Errorf("%s/%s.golden: not written by the run (go test -run Golden -update removes it once the change is wanted)", root, rel)
	}
}

// check masks got and compares it with Dir/NAME.golden, or writes it there with Update.
func (g *Golden) check(tb testing.TB, name, got string) {
	tb.Helper()
	got = g.Mask.Mask(got)
	path := filepath.Join(g.Dir, filepath.FromSlash(name)+".golden")
	if g.Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Errorf("%s: %v (go test -run Golden -update writes it)", path, err)
		return
	}
	if string(want) != got {
		tb.Errorf("%s differs (-golden +got; go test -run Golden -update rewrites it once the change is wanted):\n%s", path, LineDiff(string(want), got))
	}
}

// LineDiff returns the lines that differ between want and got, "-" for want's and "+"
// for got's, each with its line number, and two lines of context around each change.
func LineDiff(want, got string) string {
	a, b := splitLines(want), splitLines(got)
	// lcs[i][j]: length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		n    int
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			lines = append(lines, line{' ', j + 1, b[j]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, line{'-', i + 1, a[i]})
			i++
		default:
			lines = append(lines, line{'+', j + 1, b[j]})
			j++
		}
	}
	var out bytes.Buffer
	last := -1
	for k, l := range lines {
		near := false
		for d := max(0, k-2); d <= min(len(lines)-1, k+2); d++ {
			near = near || lines[d].op != ' '
		}
		if !near {
			continue
		}
		if last >= 0 && k > last+1 {
			out.WriteString("   ...\n")
		}
		last = k
		text := strings.TrimSuffix(l.text, "\n")
		if !strings.HasSuffix(l.text, "\n") && l.op != ' ' {
			text += " (no newline at end)"
		}
		fmt.Fprintf(&out, "%c%4d %s\n", l.op, l.n, text)
	}
	return out.String()
}

// splitLines cuts s after each newline; a last line without one is a line too.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// NextSecond waits until the clock enters a new second. Run ids start with their run's
// second and a random part: two runs started within one second sort in either order,
// and so do the rows a dump lists by run id. A test that compares such an order waits
// between the runs.
func NextSecond() {
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second).Sub(now))
}
