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

func TestDistributechUsage(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "generate_data -domain distributech"},
		{[]string{"-domain", "erp"}, 2, "want clevity or distributech"},
		{[]string{"-domain", "distributech", "-regions", "0"}, 2, "-regions 0: want 1 to 18"},
		{[]string{"-domain", "distributech", "-regions", "19"}, 2, "-regions 19: want 1 to 18"},
		{[]string{"-domain", "distributech", "-weeks", "0"}, 2, "-weeks 0: want a count >= 1"},
		{[]string{"-domain", "distributech", "-revendeurs", "-2"}, 2, "want a count >= 1"},
		{[]string{"-domain", "distributech", "-defects", "1.5"}, 2, "want a share between 0 and 1"},
		{[]string{"-domain", "distributech", "-today", "demain"}, 2, "not a date"},
		{[]string{"-domain", "distributech", "-clients", "5"}, 2, "-clients is a clevity flag"},
		{[]string{"-regions", "3"}, 2, "-regions is a distributech flag"},
		{[]string{"-domain", "distributech", "-out", "/proc/nope/x"}, 2, "generate into /proc/nope/x"},
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

// TestDistributechWritesSample runs the distributech generator twice into one folder:
// the second run leaves no file of the first behind.
func TestDistributechWritesSample(t *testing.T) {
	out := t.TempDir()
	res := progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "2", "-today", "2026-02-11",
		"-revendeurs", "6", "-produits", "40", "-weeks", "2", "-defects", "0.1", "-out", out)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	for _, want := range []string{"distributech.sqlite:produits", "commandes/*.csv", "written to"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr %q lacks %q", res.Stderr, want)
		}
	}
	for _, name := range []string{"distributech.sqlite", "defects.csv"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(out, "commandes", "commandes_2026-W0[67]_R00[1-6].csv"))
	all, _ := filepath.Glob(filepath.Join(out, "commandes", "*"))
	if len(files) < 4 || len(files) != len(all) {
		t.Errorf("order files %q, all files %q: want weeks 6 and 7 of 2026, resellers 1 to 6", files, all)
	}
	res = progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "2", "-today", "2026-02-11",
		"-revendeurs", "2", "-produits", "40", "-weeks", "1", "-out", out)
	if res.Code != 0 {
		t.Fatalf("second run: exit %d: %s", res.Code, res.Stderr)
	}
	files, _ = filepath.Glob(filepath.Join(out, "commandes", "*"))
	for _, f := range files {
		if !regexp.MustCompile(`commandes_2026-W07_R00[12]\.csv$`).MatchString(f) {
			t.Errorf("second run left %s", filepath.Base(f))
		}
	}
	if _, err := os.Stat(filepath.Join(out, "defects.csv")); err == nil {
		t.Errorf("second run, without defects, left defects.csv")
	}
}
