package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"dmt/pkg/atomicfile"
	"dmt/pkg/progtest"
	"dmt/pkg/runid"
)

func TestMain(m *testing.M) { progtest.Main(m, "generate_data") }

// TestManual: -h prints the manual on stdout with every flag (see progtest.CheckManual).
func TestManual(t *testing.T) {
	t.Parallel()
	progtest.CheckManual(t, "generate_data", run)
}

func TestUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-defects", "2"}, 2, "want a share between 0 and 1"},
		{[]string{"-clients", "-1"}, 2, "want a count >= 0"},
		{[]string{"-today", "demain"}, 2, "-today: want YYYY-MM-DD"},
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
	t.Parallel()
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
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-domain", "erp"}, 2, "want clevity or distributech"},
		{[]string{"-domain", "distributech", "-regions", "0"}, 2, "-regions 0: want 1 to 18"},
		{[]string{"-domain", "distributech", "-regions", "19"}, 2, "-regions 19: want 1 to 18"},
		{[]string{"-domain", "distributech", "-weeks", "0"}, 2, "-weeks 0: want a count >= 1"},
		{[]string{"-domain", "distributech", "-revendeurs", "-2"}, 2, "want a count >= 1"},
		{[]string{"-domain", "distributech", "-defects", "1.5"}, 2, "want a share between 0 and 1"},
		{[]string{"-domain", "distributech", "-today", "demain"}, 2, "-today: want YYYY-MM-DD"},
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
	t.Parallel()
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
	first := tree(t, out)
	res = progtest.Run(t, nil, nil, "generate_data", "-domain", "distributech", "-seed", "2", "-today", "2026-02-11",
		"-revendeurs", "2", "-produits", "40", "-weeks", "1", "-out", out)
	if res.Code != 0 {
		t.Fatalf("second run: exit %d: %s", res.Code, res.Stderr)
	}
	files, _ = filepath.Glob(filepath.Join(out, "commandes", "*"))
	for _, f := range files {
		if !regexp.MustCompile(`commandes_2026-W07_R00[12]\.csv$`).MatchString(f) && !atomicfile.IsBackup(filepath.Base(f)) {
			t.Errorf("second run left %s where migration reads it", filepath.Base(f))
		}
	}
	if _, err := os.Stat(filepath.Join(out, "defects.csv")); err == nil {
		t.Errorf("second run, without defects, left defects.csv")
	}
	// Nothing of the first run is lost: each file is still there, or kept under the
	// second run's id.
	second := tree(t, out)
	for name, data := range first {
		if bytes.Equal(second[name], data) {
			continue
		}
		ext := filepath.Ext(name)
		kept, _ := filepath.Glob(filepath.Join(out, strings.TrimSuffix(name, ext)+".*"+ext))
		if len(kept) != 1 || !bytes.Equal(second[must(filepath.Rel(out, kept[0]))], data) {
			t.Errorf("%s of the first run: replaced, kept as %v; want its bytes kept as NAME.<run_id>%s", name, kept, ext)
		}
	}
	if !strings.Contains(res.Stderr, "earlier files it replaced or set aside") {
		t.Errorf("stderr %q does not say which files were kept", res.Stderr)
	}
}

// tree returns the bytes of every file below dir, by path relative to it.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[must(filepath.Rel(dir, path))] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

// TestNeverLosesAFile: generate_data into a folder that holds files of the same names
// (the user's, or an earlier run's) truncates and deletes none of them: each it
// replaces with other bytes is kept as NAME.<run_id>.EXT, as every program of the
// toolkit keeps what it replaces, and stderr says so; a run made again with the same
// seed and flags (the demo, run twice) keeps nothing, its files being the same bytes;
// a folder or a link where a file goes is refused with one line, exit 2, before
// anything changes.
func TestNeverLosesAFile(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	for name, data := range map[string]string{"clients.csv": "mine\n", "defects.csv": "mine too\n", "notes.txt": "not ours\n"} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"-seed", "3", "-today", "2026-11-15", "-clients", "10", "-intervenants", "4", "-projets", "10",
		"-affectations", "20", "-defects", "0.1", "-out", out}
	res := progtest.Run(t, nil, nil, "generate_data", args...)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	kept := regexp.MustCompile(`kept 2 earlier files it replaced or set aside, under this run's id: (.*)\n`).FindStringSubmatch(res.Stderr)
	var id string
	if kept != nil {
		names := strings.Split(kept[1], ", ")
		slices.Sort(names)
		if m := regexp.MustCompile(`^clients\.(` + runid.Pattern + `)\.csv$`).FindStringSubmatch(names[0]); m != nil && len(names) == 2 && names[1] == "defects."+m[1]+".csv" {
			id = m[1]
		}
	}
	if id == "" {
		t.Fatalf("stderr %q; want a line naming the two files kept under the run's id", res.Stderr)
	}
	got := tree(t, out)
	for name, want := range map[string]string{"clients." + id + ".csv": "mine\n", "defects." + id + ".csv": "mine too\n", "notes.txt": "not ours\n"} {
		if string(got[name]) != want {
			t.Errorf("%s holds %q, want %q", name, got[name], want)
		}
	}
	if !strings.HasPrefix(string(got["clients.csv"]), "id_client,") || len(got) != 8 {
		t.Errorf("folder holds %d files, clients.csv %.20q; want the 4 files, defects.csv, the 2 kept and notes.txt", len(got), got["clients.csv"])
	}

	// Again, the same seed and flags: the same bytes, nothing to keep.
	res = progtest.Run(t, nil, nil, "generate_data", args...)
	if again := tree(t, out); res.Code != 0 || strings.Contains(res.Stderr, "kept") || len(again) != len(got) {
		t.Errorf("same run again: exit %d, %d files (want %d), stderr %q; want nothing kept", res.Code, len(again), len(got), res.Stderr)
	}

	// A folder where a file goes: refused before anything changes.
	if err := os.Mkdir(filepath.Join(out, "projets_corrompus.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := tree(t, out)
	res = progtest.Run(t, nil, nil, "generate_data", append(args, "-seed", "4", "-corrupt", "5")...)
	line := strings.TrimSpace(res.Stderr)
	if res.Code != 2 || strings.Contains(line, "\n") || !strings.Contains(line, "projets_corrompus.csv is there and is not a regular file") {
		t.Errorf("exit %d, stderr %q; want exit 2 and one line naming the folder in the way", res.Code, res.Stderr)
	}
	after := tree(t, out)
	for name, data := range before {
		if !bytes.Equal(after[name], data) {
			t.Errorf("%s changed by a refused run", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("a refused run left %d files, want %d", len(after), len(before))
	}
}

// TestTinyParentsFail: more affectations than the parents allow distinct keys for is a
// one-line error saying how many are possible, at once (the generator used to search
// for a free key for ever), and nothing is written.
func TestTinyParentsFail(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "sample")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, progtest.Path("generate_data"), "-today", "2026-11-15", "-clients", "1", "-intervenants", "1",
		"-projets", "1", "-affectations", "2000", "-out", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("still searching after %s", time.Since(start).Round(time.Second))
	}
	var ee *exec.ExitError
	line := strings.TrimSpace(stderr.String())
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || strings.Contains(line, "\n") ||
		!regexp.MustCompile(`^generate_data: generate into \S+: only \d+ distinct affectations possible with these parents`).MatchString(line) {
		t.Errorf("err %v, stderr %q; want exit 2 and one line saying how many affectations are possible", err, stderr.String())
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("%d entries left in the output folder", len(entries))
	}
}

// TestInterrupted: Ctrl-C stops a long generation within a couple of seconds, exit 2,
// and the output folder keeps what it held: no half file, no new file.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"clevity", []string{"-clients", "20000", "-intervenants", "5000", "-projets", "100000", "-affectations", "20000000"}},
		{"distributech", []string{"-domain", "distributech", "-revendeurs", "20000", "-produits", "200000", "-weeks", "200"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			if err := os.WriteFile(filepath.Join(out, "defects.csv"), []byte("earlier\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(progtest.Path("generate_data"), append(c.args, "-today", "2026-11-15", "-defects", "0.04", "-out", out)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Ctrl-C once the run is generating: its stage exists, so its handler of
			// signals is in place (a fixed wait lost the race on a loaded machine, the
			// signal then killing the program before it could catch it).
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				if stages, _ := filepath.Glob(filepath.Join(out, ".generate-*")); len(stages) > 0 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("no stage in %s after 30 s: %s", out, stderr.String())
				}
			}
			time.Sleep(300 * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(3 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 3s after SIGINT")
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "generate_data: interrupted; nothing written into "+out) {
				t.Errorf("err %v, stderr %q; want exit 2 and interrupted", err, stderr.String())
			}
			entries, _ := os.ReadDir(out)
			if b, _ := os.ReadFile(filepath.Join(out, "defects.csv")); len(entries) != 1 || string(b) != "earlier\n" {
				t.Errorf("output folder holds %d entries, defects.csv %q: want only the earlier file, untouched", len(entries), b)
			}
		})
	}
}
