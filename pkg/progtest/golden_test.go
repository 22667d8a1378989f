package progtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	m := NewMasker("root@tcp(127.0.0.1:33061)/t_095459_a1b2c3d4e5f6", "/tmp/TestX123")
	cases := []struct{ in, want string }{
		{"run id:     20261130T095459Z-2d2685", "run id:     {RUN_1}"},
		{"unchanged since 20261130T095459Z-2d2685, then 20261130T095516Z-d3171b", "unchanged since {RUN_1}, then {RUN_2}"},
		{"database:   127.0.0.1:33061/t_095459_a1b2c3d4e5f6", "database:   {ADDR}/{DB}"},
		{"report in /tmp/TestX123/001/out/rapport_reprise.txt", "report in {TMP}/001/out/rapport_reprise.txt"},
		{`"started": "2026-11-30T09:54:59.08562483Z",`, `"started": "{TIME}",`},
		{"time=2026-11-30T09:54:59.293Z level=INFO", "time={TIME} level=INFO"},
		{"produit le 2026-11-30 09:55 UTC · exécution", "produit le {TIME} · exécution"},
		{"-- Dump completed on 2026-11-30  9:55:49", "-- Dump completed on {TIME}"},
		{"rapport_validation_20261130-095517_2.txt", "rapport_validation_{STAMP}_2.txt"},
		{"export_t_1_20261130-095549.sql.gz, rapport.20261130T095516Z-d3171b.txt", "export_t_1_{STAMP}.sql.gz, rapport.{RUN_2}.txt"},
		{"duration:   0.24 s\nthroughput: 195 rows/s", "duration:   {DUR}\nthroughput: {N} rows/s"},
		{`"duration_seconds": 0.240929734,`, `"duration_seconds": {DUR},`},
		{"ignored=2 seconds=0.24", "ignored=2 seconds={DUR}"},
		{"| 0,0 s | terminé | written to in in 7ms, 1.5µs", "| {DUR} | terminé | written to in in {DUR}, {DUR}"},
		// Data stays: plain dates, counts, sha256, words holding an s.
		{"2026-11-15,2027-06-07,read 47, 3 sites, 12 500 EUR", "2026-11-15,2027-06-07,read 47, 3 sites, 12 500 EUR"},
		{"sha256    0fbf1d97bc50c0493518e20bfdaea3aa406263b6aeb79d5b80abd6e5b4e9628f", "sha256    0fbf1d97bc50c0493518e20bfdaea3aa406263b6aeb79d5b80abd6e5b4e9628f"},
	}
	for _, c := range cases {
		if got := m.Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLineDiff(t *testing.T) {
	got := LineDiff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nD\ne\nf\ng\n")
	want := "    2 b\n    3 c\n-   4 d\n+   4 D\n    5 e\n    6 f\n"
	if got != want {
		t.Errorf("LineDiff = %q, want %q", got, want)
	}
}

// TestGoldenFails: a golden that differs by one line fails the test, naming the line.
func TestGoldenFails(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "out.golden"), []byte("one\ntwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := &Golden{Dir: dir, Mask: NewMasker("", "")}
	rec := &recorder{TB: t}
	g.check(rec, "out", "one\n2\n")
	if !rec.failed || !strings.Contains(rec.msg, "-   2 two\n+   2 2\n") {
		t.Errorf("a changed line: failed %v, message %q", rec.failed, rec.msg)
	}
	rec = &recorder{TB: t}
	g.check(rec, "out", "one\ntwo\n")
	if rec.failed {
		t.Errorf("the same text failed: %s", rec.msg)
	}
}

// recorder is a testing.TB that notes a failure instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg += fmt.Sprintf(format, args...)
}
