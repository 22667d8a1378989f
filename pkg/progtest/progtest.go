// Package progtest runs the toolkit's programs in tests as users run them: built once,
// started with exec, their exit code and output captured.
package progtest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"dmt/pkg/csvfile"
	"dmt/pkg/mariadb/mariadbtest"
)

// BinEnv names the folder of programs built once for a whole test run: scripts/test.sh
// (with -race) and scripts/coverage.sh (with -cover) build every program of cmd/ there,
// as they build the tests, and set it, so that each package's tests do not build them
// again.
const BinEnv = "DMT_TEST_BIN"

// Bin is the folder of the programs, set by Main.
var Bin string

// Main gives the tests their programs, runs the tests and exits; call it from
// TestMain. The programs come from $DMT_TEST_BIN when it is set (each of progs must be
// there); otherwise Main builds progs once for this test process, with -race when the
// test binary has it and with -cover when it measures coverage, and removes them at the
// end. Every program a test starts inherits GOCOVERDIR set to the test binary's
// -test.gocoverdir, so that its coverage counters join the tests' own (`go tool covdata`
// merges them), and a program built with -cover never warns that it is unset.
func Main(m *testing.M, progs ...string) {
	flag.Parse()
	if err := setUp(progs); err != nil {
		for _, dir := range cleanup {
			os.RemoveAll(dir)
		}
		fmt.Fprintln(os.Stderr, "progtest:", err)
		os.Exit(2)
	}
	code := m.Run()
	for _, dir := range cleanup {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// cleanup lists the folders Main made, removed when the tests end.
var cleanup []string

// setUp sets Bin and GOCOVERDIR for the programs progs.
func setUp(progs []string) error {
	coverDir := ""
	if f := flag.Lookup("test.gocoverdir"); f != nil && f.Value.String() != "" {
		abs, err := filepath.Abs(f.Value.String())
		if err != nil {
			return err
		}
		coverDir = abs
	} else {
		// No coverage wanted: a prebuilt program may still have been built with -cover.
		dir, err := os.MkdirTemp("", "dmt-cover-")
		if err != nil {
			return err
		}
		cleanup = append(cleanup, dir)
		coverDir = dir
	}
	if err := os.Setenv("GOCOVERDIR", coverDir); err != nil {
		return err
	}
	if dir := os.Getenv(BinEnv); dir != "" {
		Bin = dir
		for _, prog := range progs {
			if _, err := os.Stat(Path(prog)); err != nil {
				return fmt.Errorf("%s=%s lacks %s: %v", BinEnv, dir, prog, err)
			}
		}
		return nil
	}
	dir, err := os.MkdirTemp("", "dmt-bin-")
	if err != nil {
		return err
	}
	cleanup = append(cleanup, dir)
	Bin = dir
	return build(dir, progs)
}

// build builds the programs progs of cmd/ into dir, in one go build.
func build(dir string, progs []string) error {
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		return err
	}
	args := []string{"build", "-o", dir + string(os.PathSeparator)}
	if race {
		args = append(args, "-race")
	}
	if mode := testing.CoverMode(); mode != "" {
		args = append(args, "-cover", "-covermode="+mode)
	}
	for _, prog := range progs {
		args = append(args, "./cmd/"+prog)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %v", strings.Join(args, " "), err)
	}
	return nil
}

// CoverEnv is the GOCOVERDIR=... setting to pass to a program started with an
// environment of its own (env -i), where it does not inherit the one Main sets.
func CoverEnv() string { return "GOCOVERDIR=" + os.Getenv("GOCOVERDIR") }

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
	if err := cmd.Start(); err != nil {
		tb.Fatalf("run %s: %v", cmd.Path, err)
	}
	stop := Watch(tb, cmd)
	err := cmd.Wait()
	if within, late := stop(); late {
		tb.Fatalf("%s did not end within %s: stopped with SIGQUIT; the end of its output:\n%s", filepath.Base(cmd.Path), within, tail(errb.String(), 8000))
	}
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

// TimeoutEnv names how long a program started by a test may run (a Go duration;
// default 10 minutes).
const TimeoutEnv = "DMT_TEST_PROG_TIMEOUT"

// Watch stops cmd (started) when it runs longer than the limit: TimeoutEnv, and never
// past a minute before the test's own deadline. A hung program then fails its test
// with its goroutines printed (Go programs dump them on SIGQUIT; anything still
// running 10 s later is killed) instead of stalling the whole run until go test's
// timeout, or CI's, ends it without a word. Call the returned stop once cmd ended: it
// says whether the watch had to stop it, and the limit.
func Watch(tb testing.TB, cmd *exec.Cmd) (stop func() (time.Duration, bool)) {
	within := 10 * time.Minute
	if s := os.Getenv(TimeoutEnv); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			cmd.Process.Kill()
			tb.Fatalf("%s=%q: want a Go duration such as 15m", TimeoutEnv, s)
		}
		within = d
	}
	if t, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		if end, ok := t.Deadline(); ok {
			within = max(min(within, time.Until(end)-time.Minute), time.Second)
		}
	}
	var late atomic.Bool
	quit := time.AfterFunc(within, func() {
		late.Store(true)
		cmd.Process.Signal(syscall.SIGQUIT)
		// Once the program ended, Kill does nothing (os.ErrProcessDone).
		time.AfterFunc(10*time.Second, func() { cmd.Process.Kill() })
	})
	return func() (time.Duration, bool) {
		quit.Stop()
		return within, late.Load()
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
