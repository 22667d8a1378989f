package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"dmt/pkg/atomicfile"
	"dmt/pkg/cli"
	"dmt/pkg/mariadb"
	"dmt/pkg/migrate"
	"dmt/pkg/store"
	"dmt/pkg/validate"
)

// doc is doc.go, whose comment is the manual -h prints.
//
//go:embed doc.go
var doc string

func main() { cli.Main("validate", run) }

// The store serves what validate needs of the database.
var (
	_ validate.Store    = (*mariadb.DB)(nil)
	_ validate.Recorder = (*mariadb.DB)(nil)
)

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("validate", doc, stdout)
	dsn := cli.DSN(fs)
	domainName := cli.Domain(fs)
	out := cli.Out(fs, ".", "folder for rapport_validation_<timestamp>.txt")
	jsonTo := fs.String("json", "", "also write the results as JSON to this file, or - for stdout")
	source := fs.String("source", "", "folder of source files (as migration reads it) to check against the journal's counts and the rows, line by line; a missing file fails")
	today := cli.TodayFlag(fs, "date beyond which a date is in the future")
	quiet := cli.Quiet(fs)
	if err := cli.ParseFlagsOnly(fs, args); err != nil {
		return err
	}
	d, err := cli.LookupDomain(*domainName)
	if err != nil {
		return err
	}
	day, err := today()
	if err != nil {
		return err
	}
	if err := cli.RequireDSN(*dsn); err != nil {
		return err
	}
	if *source != "" {
		if st, err := os.Stat(*source); err != nil || !st.IsDir() {
			return cli.Usagef("-source %s: not a folder", *source)
		}
	}
	rr, err := cli.OpenRead(ctx, *dsn, d.Name)
	if err != nil {
		return err
	}
	db, runID, started := rr.DB, rr.ID, rr.Started
	defer db.Close()
	rep := &validate.Report{RunID: runID, Domain: d.Name, Database: rr.Where, Started: started, Today: day}
	vols, results, err := validate.Run(ctx, db, d, validate.Checks(d, day))
	if err != nil {
		return fmt.Errorf("%s: %w", rep.Database, err)
	}
	if *source != "" {
		// The same list of sources as migration's: files, SQLite tables, weekly files.
		sources, missing, closeAll, err := migrate.ResolveFolder(d, *source)
		if err != nil {
			return err
		}
		files := make([]validate.SourceFile, len(sources))
		for i, s := range sources {
			files[i] = validate.SourceFile{Name: s.Name, Entity: s.Entity, R: s.R, Reread: s.Reread}
		}
		src, err := validate.SourceChecks(ctx, db, *source, files, missing)
		closeAll()
		if err != nil {
			return err
		}
		n := 0 // after the journal's checks, with the other volume checks
		for n < len(results) && results[n].Kind == validate.Journal {
			n++
		}
		var counts, rows []validate.Result // the rows compared with their lines go last, with the lineage checks
		for _, r := range src {
			if r.Kind == validate.Lineage {
				rows = append(rows, r)
			} else {
				counts = append(counts, r)
			}
		}
		results = slices.Concat(results[:n], counts, results[n:], rows)
	}
	rep.Volumes, rep.Results, rep.Duration = vols, results, time.Since(started)
	sum := validate.Summarize(results)

	// The run is recorded in the journal when the account may write it. A read-only
	// account (or server) still checks everything: it says once that the run is not
	// recorded, and the exit status is the checks'.
	err = rr.Record(ctx, "validate", args)
	switch {
	case mariadb.IsDenied(err):
		if !*quiet {
			fmt.Fprintf(stderr, "validate: read-only: this run is not recorded in the journal (%v)\n", err)
		}
	case err != nil:
		return err
	default:
		// The final report reads each run's verdicts from the database. An account
		// allowed to write the journal but not validate_results still validates: the
		// report file holds everything, and one line says what the database will lack.
		if err := validate.SaveResults(ctx, db, runID, results); err != nil {
			if !mariadb.IsDenied(err) {
				return err
			}
			fmt.Fprintf(stderr, "validate: results not stored in the database, the final report will lack them: %v\n", err)
		}
		// A run with checks that could not run did not do its job (exit 2): failed.
		status, msg := store.StatusOK, fmt.Sprintf("%d checks, %d failed, %d warnings", sum.Checks, sum.Failed, sum.Warnings)
		switch {
		case sum.Errors > 0:
			status, msg = store.StatusFailed, msg+fmt.Sprintf(", %d could not run", sum.Errors)
		case sum.Failed > 0:
			status = store.StatusDataErrors
		}
		if err := db.FinishRun(runID, status, store.Counts{}, msg); err != nil {
			return err
		}
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	path, err := validate.ReserveReport(*out, started)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := cli.WriteFile(path, rep.WriteText); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	switch *jsonTo {
	case "":
	case "-":
		if err := rep.WriteJSON(stdout); err != nil {
			return err
		}
	default:
		if err := atomicfile.WriteFile(*jsonTo, runID, rep.WriteJSON); err != nil {
			return fmt.Errorf("write JSON: %w", err)
		}
	}
	if err := verdict(results, sum, path); err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(stderr, "validate: %d checks passed (%d warnings) on %s in %.1f s; report %s\n",
			sum.Passed, sum.Warnings, rep.Database, rep.Duration.Seconds(), path)
	}
	return nil
}

// verdict is what the run's end says when not every check passed: checks that could
// not run make the verdict incomplete, an error (exit 2) naming them, the first with
// why, and then the checks that failed all the same; else failed checks are data
// problems (exit 1), each named (a journal check with its run, and what to do).
func verdict(results []validate.Result, sum validate.Summary, path string) error {
	var failed, errs []string
	for _, r := range results {
		switch {
		case r.Status == validate.Error && len(errs) == 0:
			errs = append(errs, r.Name+": "+r.Error)
		case r.Status == validate.Error:
			errs = append(errs, r.Name)
		case r.Status != validate.Fail:
		case r.Kind == validate.Journal && len(r.Sample) > 0:
			failed = append(failed, r.Name+": "+r.Sample[0]) // which run, and what to do
		default:
			failed = append(failed, r.Name)
		}
	}
	list := func(names []string) string {
		if len(names) > 3 {
			names = append(names[:3:3], "...")
		}
		return strings.Join(names, "; ")
	}
	switch {
	case sum.Errors > 0 && sum.Failed > 0:
		return fmt.Errorf("%d of %d checks could not run, the verdict is incomplete (%s); %d failed all the same (%s); report %s",
			sum.Errors, sum.Checks, list(errs), sum.Failed, list(failed), path)
	case sum.Errors > 0:
		return fmt.Errorf("%d of %d checks could not run, the verdict is incomplete (%s); report %s", sum.Errors, sum.Checks, list(errs), path)
	case sum.Failed > 0:
		return &cli.DataProblems{Msg: fmt.Sprintf("%d of %d checks failed (%s); report %s", sum.Failed, sum.Checks, list(failed), path)}
	}
	return nil
}
