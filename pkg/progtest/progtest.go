// Package progtest runs the toolkit's programs in tests as users run them: built once
// into a temporary folder, started with exec, their exit code and output captured.
package progtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/csvfile"
	"dmt/pkg/mariadb/mariadbtest"
)

// Bin is the folder the programs were built into by Main.
var Bin string

// Main builds the named programs of cmd/, runs the tests, and removes the binaries.
// Call it from TestMain.
func Main(m *testing.M, progs ...string) {
	dir, err := os.MkdirTemp("", "dmt-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	Bin = dir
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, prog := range progs {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, prog), "./cmd/"+prog)
		cmd.Dir = root
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n", prog, err)
			os.RemoveAll(dir)
			os.Exit(2)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Result is what a program run gave.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Path returns the path of a built program.
func Path(prog string) string { return filepath.Join(Bin, prog) }

// Run runs a built program with extra environment variables and stdin (may be nil).
func Run(tb testing.TB, env []string, stdin []byte, prog string, args ...string) Result {
	tb.Helper()
	cmd := exec.Command(Path(prog), args...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	return run(tb, cmd)
}

// RunPath runs any program (a script, env) and returns what it gave.
func RunPath(tb testing.TB, path string, args ...string) Result {
	tb.Helper()
	return run(tb, exec.Command(path, args...))
}

func run(tb testing.TB, cmd *exec.Cmd) Result {
	tb.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatalf("run %s: %v", cmd.Path, err)
	}
	return Result{Code: code, Stdout: out.String(), Stderr: errb.String()}
}

// ReadCSV reads a CSV file a program wrote: its header then its records.
func ReadCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := csvfile.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	rows := [][]string{r.Header()}
	for {
		rec, err := r.Read()
		var pe *csvfile.ParseError
		switch {
		case err == io.EOF:
			return rows
		case errors.As(err, &pe):
			tb.Fatalf("%s: %v", path, err)
		case err != nil:
			tb.Fatal(err)
		}
		rows = append(rows, rec.Fields)
	}
}

// NoSecret fails the test for every place secret (a password) was found: a column of
// any table of the database dsn names, a file under any of dirs, or the output of a
// run. A password given to a program must never come back, wherever it was given.
func NoSecret(tb testing.TB, secret, dsn string, dirs []string, runs ...Result) {
	tb.Helper()
	for _, where := range mariadbtest.Find(tb, dsn, secret) {
		tb.Errorf("the password is in the database: %s", where)
	}
	files := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			if bytes.Contains(data, []byte(secret)) {
				tb.Errorf("the password is in %s", path)
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if len(dirs) > 0 && files == 0 {
		tb.Errorf("no file to search in %v", dirs)
	}
	for i, r := range runs {
		if strings.Contains(r.Stdout, secret) || strings.Contains(r.Stderr, secret) {
			tb.Errorf("the password is in the output of run %d", i+1)
		}
	}
}
