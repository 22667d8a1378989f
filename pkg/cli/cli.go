// Package cli holds what every program of the toolkit shares on its command line: the
// common flags (spelled the same in every binary), the exit codes, and main's one-line
// error report. Programs keep their logic in run(ctx, args, stdin, stdout, stderr) error.
package cli

import (
	"context"
	"dmt/pkg/atomicfile"
	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
	"dmt/pkg/runid"
	"dmt/pkg/store"
	"errors"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Exit codes of every program.
const (
	ExitOK      = 0 // clean
	ExitData    = 1 // finished, but with data problems (rows rejected, checks failed, rows isolated)
	ExitFailure = 2 // could not do its job (usage, unreadable input, database error)
	envDSN      = "MARIADB_DSN"
)

// ExitInterrupted ends a program stopped at once by a second Ctrl-C or SIGTERM: 128 +
// SIGINT, as shells report a program killed by Ctrl-C. What it had not committed is
// rolled back by the server when the connection drops. A first signal alone ends a
// run with ExitFailure once its current batch is done.
const ExitInterrupted = 130

// DataProblems is returned by a run that finished its job but found data problems; main
// exits 1 and prints its message.
type DataProblems struct{ Msg string }

func (e *DataProblems) Error() string { return e.Msg }

// UsageError is a bad command line; main prints it with a hint to -h and exits 2.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

// Code returns the exit code for the error a run returned.
func Code(err error) int {
	var dp *DataProblems
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &dp):
		return ExitData
	default:
		return ExitFailure
	}
}

// RunFunc is the shape of every program's run.
type RunFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// Main runs run with a context that the first Ctrl-C or SIGTERM cancels, prints a
// returned error as one line on stderr ("name: message", with a hint for usage errors)
// and exits with the code of Code.
//
// Two signals: the first says on stderr that the program is finishing its current
// batch and cancels the context, so that a run stops on a batch boundary (whole batches
// only) and returns, exiting 2 with "interrupted"; a second one exits at once with
// ExitInterrupted, for the user who cannot wait for the batch.
//
// DMT_CPUPROFILE and DMT_MEMPROFILE (see EnvCPUProfile) profile the run.
func Main(name string, run RunFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var interrupted atomic.Bool
	go func() {
		<-sigs
		interrupted.Store(true)
		fmt.Fprintf(os.Stderr, "%s: interrupted; finishing the current batch (press Ctrl-C again to stop at once)\n", name)
		cancel()
		<-sigs
		fmt.Fprintf(os.Stderr, "%s: stopped at once\n", name)
		os.Exit(ExitInterrupted)
	}()
	stopProfiles := startProfiles(name, os.Stderr)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfiles()
	signal.Stop(sigs)
	cancel()
	if interrupted.Load() && errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "interrupted") {
		if err.Error() == context.Canceled.Error() {
			err = errors.New("interrupted")
		} else {
			err = fmt.Errorf("interrupted: %w", err)
		}
	}
	os.Exit(Report(os.Stderr, name, err))
}

// Report prints err as one line for people and returns its exit code.
func Report(stderr io.Writer, name string, err error) int {
	code := Code(err)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return code
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "%s: %s (try: %s -h)\n", name, msg, name)
	} else {
		fmt.Fprintf(stderr, "%s: %s\n", name, msg)
	}
	return code
}

// Manual returns the package comment of a program's doc.go source, the text go doc
// shows: each program embeds its doc.go so that -h prints that same text, and the manual
// has one source that cannot drift from what go doc says. Code blocks (tab-indented in
// the comment) are indented by four spaces, as go doc prints them.
func Manual(docSource string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", docSource, parser.PackageClauseOnly|parser.ParseComments)
	if err != nil || f.Doc == nil {
		return ""
	}
	lines := strings.Split(f.Doc.Text(), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "\t") {
			lines[i] = "    " + l[1:]
		}
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

// HelpShown is what Parse returns after -h printed the manual: it is flag.ErrHelp (exit
// 0), and carries the flag set so that a test can hold the manual to every flag.
type HelpShown struct{ FlagSet *flag.FlagSet }

func (*HelpShown) Error() string { return flag.ErrHelp.Error() }

// Is makes errors.Is(err, flag.ErrHelp) true.
func (*HelpShown) Is(target error) bool { return target == flag.ErrHelp }

// NewFlagSet returns a flag set that reports errors instead of exiting and whose -h
// prints the program's manual (Manual of its doc.go source) on stdout: `prog -h | less`
// and `prog -h | grep dsn` work. A bad flag is a usage error, printed on stderr by
// Report.
func NewFlagSet(name, docSource string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() { io.WriteString(stdout, Manual(docSource)) }
	return fs
}

// Parse parses args; a bad flag becomes a *UsageError, -h prints the manual and returns
// a *HelpShown.
func Parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	help := fs.Usage
	fs.Usage = func() {} // a bad flag is reported in one line, not with the manual
	err := fs.Parse(args)
	fs.Usage = help
	if errors.Is(err, flag.ErrHelp) {
		help()
		return &HelpShown{FlagSet: fs}
	}
	if err != nil {
		return &UsageError{Msg: err.Error()}
	}
	return nil
}

// ParseFlagsOnly is Parse for a program that takes flags and no argument.
func ParseFlagsOnly(fs *flag.FlagSet, args []string) error {
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return Usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// DSN declares -dsn, defaulting to $MARIADB_DSN. The default is never printed in -h, so a
// password in the environment stays out of any output.
func DSN(fs *flag.FlagSet) *string {
	p := new(string)
	fs.Func("dsn", "MariaDB DSN, user:password@tcp(host:port)/database (default $"+envDSN+")", func(s string) error {
		*p = s
		return nil
	})
	*p = os.Getenv(envDSN)
	return p
}

// RequireDSN returns a usage error when no DSN was given by flag or environment.
func RequireDSN(dsn string) error {
	if dsn == "" {
		return Usagef("no database: give -dsn or set %s", envDSN)
	}
	return nil
}

// CreateDB declares -create-db. Without it a database that does not exist is an error,
// so that a typo in its name never creates a new, empty one.
func CreateDB(fs *flag.FlagSet) *bool {
	return fs.Bool("create-db", false, "create the database when it does not exist (utf8mb4)")
}

// Domain declares -domain: one of the domains registered in pkg/domain, the first by
// default.
func Domain(fs *flag.FlagSet) *string {
	return fs.String("domain", domain.DefaultName(), "business domain: "+domain.Choices())
}

// Out declares -out with the given default and meaning.
func Out(fs *flag.FlagSet, def, usage string) *string {
	return fs.String("out", def, usage)
}

// NewRunID returns a run id (see runid.New): the programs' one way to name their run.
func NewRunID(started time.Time) string { return runid.New(started) }

// WriteFile writes path whole through a temporary file renamed into place, so that a
// reader (or a cron job's monitor) never sees half a report. It replaces a file already
// there; a run that has an id keeps it instead, with atomicfile.WriteFile.
func WriteFile(path string, write func(io.Writer) error) error {
	return atomicfile.WriteFile(path, "", write)
}

// Today returns the date every program takes as today: the local date of the machine
// running it (its TZ). Migration and reprise judge "not in the future" against it,
// validate passes it to its SQL instead of the server's CURRENT_DATE (a UTC session
// would disagree between midnight and the offset), analyse_stock states the stock at
// its end, generate_data builds data around it. This is its only definition.
func Today() model.Date { return model.NewDate(time.Now()) }

// TodayFlag declares -today, the date taken as today (tests and reproducible runs fix
// it); usage says what the program uses it for. The returned func gives that date, or
// Today.
func TodayFlag(fs *flag.FlagSet, usage string) func() (model.Date, error) {
	s := fs.String("today", "", usage+", YYYY-MM-DD (default: the local date)")
	return func() (model.Date, error) {
		if *s == "" {
			return Today(), nil
		}
		d, err := rules.ParseDate(*s)
		if err != nil || *s != d.String() {
			return model.Date{}, Usagef("-today: want YYYY-MM-DD, got %q", *s)
		}
		return d, nil
	}
}

// DefaultBatch is the default of -batch: store.DefaultBatch.
const DefaultBatch = store.DefaultBatch

// Batch declares -batch with DefaultBatch; the returned func gives it, or a usage error
// when it is not positive.
func Batch(fs *flag.FlagSet) func() (int, error) {
	n := fs.Int("batch", DefaultBatch, "rows per transaction")
	return func() (int, error) {
		if *n <= 0 {
			return 0, Usagef("-batch %d: want a positive number of rows", *n)
		}
		return *n, nil
	}
}

// Quiet declares -quiet, the same in every program that prints a summary on stderr:
// nothing is printed when the run is clean (for cron, which mails any output); errors
// and data problems are still printed.
func Quiet(fs *flag.FlagSet) *bool {
	return fs.Bool("quiet", false, "print nothing when the run is clean (errors and data problems are still printed)")
}

// LookupDomain returns the domain named by -domain, or a usage error listing the known ones.
func LookupDomain(name string) (*domain.Domain, error) {
	if d := domain.ByName(name); d != nil {
		return d, nil
	}
	return nil, Usagef("unknown domain %q (known: %s)", name, strings.Join(domain.Names(), ", "))
}
