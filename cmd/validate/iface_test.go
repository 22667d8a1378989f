package main

import (
	"database/sql"
	"dmt/pkg/domain"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"dmt/pkg/progtest"
)

// TestToday: validate judges "in the future" against the same day as migration: the
// local date of the machine (its TZ), or -today; never the server's CURRENT_DATE, whose
// session may be UTC. A date that is today in UTC+14 is in the future in UTC-12 (26
// hours behind, whatever the hour).
func TestToday(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	east, err := time.LoadLocation("Etc/GMT-14")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Now().In(east).Format(time.DateOnly)
	if _, err := db.Exec("UPDATE clients SET date_creation = ? WHERE id_client = 7", day); err != nil {
		t.Fatal(err)
	}
	reseal(t, db, domain.Clevity()) // only the date is under test, not the fingerprint
	run := func(env []string, args ...string) (progtest.Result, string) {
		out := t.TempDir()
		res := progtest.Run(t, env, nil, "validate", append([]string{"-dsn", dsn, "-out", out}, args...)...)
		reports, _ := filepath.Glob(filepath.Join(out, "rapport_validation_*.txt"))
		text := ""
		if len(reports) == 1 {
			b, _ := os.ReadFile(reports[0])
			text = string(b)
		}
		return res, text
	}
	if res, _ := run([]string{"TZ=Etc/GMT-14"}); res.Code != 0 {
		t.Errorf("TZ=Etc/GMT-14, date_creation %s (today there): exit %d: %s", day, res.Code, res.Stderr)
	}
	res, text := run([]string{"TZ=Etc/GMT+12"})
	if res.Code != 1 || !strings.Contains(res.Stderr, "clients.date_creation DATE_IN_FUTURE") {
		t.Errorf("TZ=Etc/GMT+12, date_creation %s (tomorrow there): exit %d: %s; want the date in the future", day, res.Code, res.Stderr)
	}
	if !strings.Contains(text, "today:     "+time.Now().In(time.FixedZone("", -12*3600)).Format(time.DateOnly)) {
		t.Errorf("the report does not say which day was today:\n%s", text)
	}
	if res, _ := run(nil, "-today", "2000-01-01"); res.Code != 1 || !strings.Contains(res.Stderr, "DATE_IN_FUTURE") {
		t.Errorf("-today 2000-01-01: exit %d: %s; want dates in the future", res.Code, res.Stderr)
	}
	if res, _ := run(nil, "-today", "15/11/2026"); res.Code != 2 || !strings.Contains(res.Stderr, "-today: want YYYY-MM-DD") {
		t.Errorf("-today 15/11/2026: exit %d: %s; want a usage error", res.Code, res.Stderr)
	}
}

// TestReportNamesNeverCollide: runs in the same second write reports side by side,
// none overwriting another, names sorting by time.
func TestReportNamesNeverCollide(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	out := t.TempDir()
	for range 3 {
		if res := progtest.Run(t, nil, nil, "validate", "-dsn", dsn, "-out", out, "-quiet"); res.Code != 0 || res.Stderr != "" {
			t.Fatalf("exit %d, stderr %q; want 0 and nothing with -quiet", res.Code, res.Stderr)
		}
	}
	reports, _ := filepath.Glob(filepath.Join(out, "rapport_validation_*.txt"))
	if len(reports) != 3 {
		t.Fatalf("3 runs left %d reports: %v", len(reports), reports)
	}
	for _, r := range reports {
		if b, err := os.ReadFile(r); err != nil || !strings.Contains(string(b), "Summary: ") {
			t.Errorf("%s is not a whole report", r)
		}
	}
}

// TestTextReport: the report a person reads: a title underlined to its length, one
// Volumes section, aligned columns, rules worded as what was expected, orphans named by
// the row to fix (key, file and line) and the missing key, and no check the column's
// type already makes true.
func TestTextReport(t *testing.T) {
	t.Parallel()
	dsn := migrated(t)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{"SET SESSION foreign_key_checks = 0", "UPDATE projets SET id_client = 88888 WHERE id_projet = 1"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var file string
	var line int
	if err := db.QueryRow("SELECT source_file, source_line FROM projets WHERE id_projet = 1").Scan(&file, &line); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if res := progtest.Run(t, nil, nil, "validate", "-dsn", dsn, "-out", out); res.Code != 1 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	reports, _ := filepath.Glob(filepath.Join(out, "rapport_validation_*.txt"))
	b, _ := os.ReadFile(reports[0])
	text := string(b)
	lines := strings.Split(text, "\n")
	if utf8.RuneCountInString(lines[1]) != utf8.RuneCountInString(lines[0]) || strings.Trim(lines[1], "=") != "" {
		t.Errorf("title %q underlined with %q", lines[0], lines[1])
	}
	if n := strings.Count(text, "\nVolumes\n"); n != 1 {
		t.Errorf("%d Volumes sections, want 1", n)
	}
	// The count column ends at the same place on every check line.
	checkLine := regexp.MustCompile(`^(  (?:PASS|FAIL|WARN)  .*? +\d+)(?:  \[.*|  error: .*)?$`)
	col := -1
	for _, l := range lines {
		m := checkLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if pos := utf8.RuneCountInString(m[1]); col < 0 {
			col = pos
		} else if pos != col {
			t.Errorf("misaligned: %q (count ends at %d, others at %d)", l, pos, col)
		}
	}
	if col < 0 {
		t.Errorf("no check line in\n%s", text)
	}
	if strings.Contains(text, "2147483647") || strings.Contains(text, "2147483648") {
		t.Errorf("the report holds a check of the INT type's bounds")
	}
	want := "1 (" + file + ":" + strconv.Itoa(line) + "): id_client 88888 missing"
	if !strings.Contains(text, want) {
		t.Errorf("orphan sample: want %q in\n%s", want, text)
	}
	if !strings.Contains(text, "expected: every id_client of projets exists in clients") {
		t.Errorf("rules are not worded as what was expected")
	}
}
