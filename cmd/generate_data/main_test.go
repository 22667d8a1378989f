package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/progtest"
)

func TestMain(m *testing.M) { progtest.Main(m, "generate_data") }

// TestData1Regenerates runs the command data_1/README.md gives and wants every file of
// data_1/ back, byte for byte.
func TestData1Regenerates(t *testing.T) {
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "data_1", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^\\s*generate_data (.*-out data_1)$").FindSubmatch(readme)
	if m == nil {
		t.Fatal("data_1/README.md gives no generate_data command")
	}
	out := t.TempDir()
	args := strings.Fields(strings.Replace(string(m[1]), "-out data_1", "-out "+out, 1))
	if res := progtest.Run(t, nil, nil, "generate_data", args...); res.Code != 0 {
		t.Fatalf("generate_data %v: exit %d: %s", args, res.Code, res.Stderr)
	}
	entries, err := os.ReadDir(filepath.Join(root, "data_1"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Name() == "README.md" {
			continue
		}
		want, _ := os.ReadFile(filepath.Join(root, "data_1", e.Name()))
		got, err := os.ReadFile(filepath.Join(out, e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: regenerated file differs from data_1/ (%v)", e.Name(), err)
		}
		n++
	}
	if n < 7 {
		t.Errorf("data_1 holds %d files, want 7", n)
	}
}

func TestUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "generate_data -seed 42"},
		{[]string{"-defects", "2"}, 2, "want a share between 0 and 1"},
		{[]string{"-clients", "-1"}, 2, "want a count >= 0"},
		{[]string{"-today", "demain"}, 2, "not a date"},
		{[]string{"-clients", "0"}, 2, "projets need clients"},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"-out", "/proc/nope/x"}, 2, "generate into /proc/nope/x"},
	}
	for _, c := range cases {
		res := progtest.Run(t, nil, nil, "generate_data", c.args...)
		if res.Code != c.code || !strings.Contains(res.Stderr, c.want) {
			t.Errorf("generate_data %v: exit %d, stderr %q; want exit %d with %q", c.args, res.Code, res.Stderr, c.code, c.want)
		}
		if c.args[0] != "-h" && strings.Count(strings.TrimSpace(res.Stderr), "\n") != 0 {
			t.Errorf("generate_data %v: error is not one line: %q", c.args, res.Stderr)
		}
	}
}

func TestWritesSmallSample(t *testing.T) {
	out := t.TempDir()
	res := progtest.Run(t, nil, nil, "generate_data", "-seed", "3", "-today", "2026-11-15", "-clients", "5", "-intervenants", "3",
		"-projets", "10", "-affectations", "20", "-out", out)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "affectations.csv"))
	if err != nil || bytes.Count(b, []byte("\n")) != 21 {
		t.Errorf("affectations.csv: %d lines, %v; want header + 20", bytes.Count(b, []byte("\n")), err)
	}
}
