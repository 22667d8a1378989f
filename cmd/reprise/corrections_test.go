package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"dmt/pkg/progtest"
)

// TestCorrectionsStored: every value reprise corrects is stored in the corrections
// table with its run, file, line, field, before, after and rule, exactly as
// log_reprise.txt says: the final report counts them from there.
func TestCorrectionsStored(t *testing.T) {
	t.Parallel()
	dsn := loaded(t, repoFile(t, "data_1"))
	out := t.TempDir()
	if res := progtest.Run(t, nil, nil, "reprise", "-dsn", dsn, "-today", today, "-out", out, repoFile(t, "data_1", "projets_corrompus.csv")); res.Code != 1 {
		t.Fatalf("reprise: exit %d: %s", res.Code, res.Stderr)
	}
	logText, err := os.ReadFile(filepath.Join(out, "log_reprise.txt"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`action=corrected run=(\S+) file=(\S+) line=(\d+) field=(\S+) before=("(?:[^"\\]|\\.)*"|\S*) after=("(?:[^"\\]|\\.)*"|\S*) rule=(\S+)`)
	var logged []string
	for _, m := range re.FindAllStringSubmatch(string(logText), -1) {
		before, after := unquote(t, m[5]), unquote(t, m[6])
		logged = append(logged, fmt.Sprintf("%s %s %s %s %q %q %s", m[1], m[2], m[3], m[4], before, after, m[7]))
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT run_id, file, line, field, before_value, after_value, rule, tool, entity FROM corrections ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var stored []string
	for rows.Next() {
		var run, file, field, before, after, rule, tool, entity string
		var line int
		if err := rows.Scan(&run, &file, &line, &field, &before, &after, &rule, &tool, &entity); err != nil {
			t.Fatal(err)
		}
		if tool != "reprise" || entity != "projets" {
			t.Errorf("correction by %s of %s, want reprise of projets", tool, entity)
		}
		stored = append(stored, fmt.Sprintf("%s %s %d %s %q %q %s", run, file, line, field, before, after, rule))
	}
	if len(logged) != 77 || !slices.Equal(stored, logged) {
		t.Errorf("%d corrections stored, %d logged (data_1: 77); they differ:\nstored %q\nlogged %q", len(stored), len(logged), stored, logged)
	}
}

func unquote(t *testing.T, s string) string {
	t.Helper()
	if len(s) > 0 && s[0] == '"' {
		u, err := strconv.Unquote(s)
		if err != nil {
			t.Fatalf("log value %s: %v", s, err)
		}
		return u
	}
	return s
}
