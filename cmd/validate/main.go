package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"dmt/pkg/atomicfile"
	"dmt/pkg/cli"
	"dmt/pkg/mariadb"
	"dmt/pkg/redact"
	"dmt/pkg/validate"
)

const manual = `validate: check a database against every rule of its domain; timestamped report.

Usage:
  validate [-dsn DSN] [-domain clevity] [-out DIR] [-json FILE|-] [-source DIR] [-quiet]

Writes DIR/rapport_validation_<YYYYMMDD-HHMMSS>.txt; -json the same as JSON. The
results are also stored in the validate_results table (for rapport), when the account may.
The latest migration and reprise runs must have finished: a failed or interrupted one
fails, naming it; one in progress is a warning. An empty table is a warning, a database
whose tables are all empty fails.
Exit status: 0 all checks pass (warnings allowed), 1 a check fails, 2 could not check.

Example:
  validate -dsn 'root@tcp(127.0.0.1:3306)/clevity' -out reports
  validate -out reports -source data_1 -json -
  validate -dsn 'root@tcp(127.0.0.1:3306)/distributech' -domain distributech -out reports`

func main() { cli.Main("validate", run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("validate", manual, stderr)
	dsn := cli.DSN(fs)
	domainName := cli.Domain(fs)
	out := cli.Out(fs, ".", "folder for rapport_validation_<timestamp>.txt")
	jsonTo := fs.String("json", "", "also write the results as JSON to this file, or - for stdout")
	source := fs.String("source", "", "folder of source files to check against the journal's counts")
	quiet := fs.Bool("quiet", false, "print nothing on success (for cron)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return cli.Usagef("unexpected argument %q", fs.Arg(0))
	}
	d, err := cli.LookupDomain(*domainName)
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
	started := time.Now()
	runID := cli.NewRunID(started)
	db, err := mariadb.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckReadable(ctx, d.Name); err != nil {
		return err
	}
	rep := &validate.Report{RunID: runID, Domain: d.Name, Database: mariadb.Describe(db.Cfg), Started: started}
	vols, results, err := validate.Run(ctx, db, d, validate.Checks(d))
	if err != nil {
		return fmt.Errorf("%s: %w", rep.Database, err)
	}
	if *source != "" {
		src, err := validate.SourceChecks(ctx, db, d, *source)
		if err != nil {
			return err
		}
		n := 0 // after the journal's checks, with the other volume checks
		for n < len(results) && results[n].Kind == validate.Journal {
			n++
		}
		results = slices.Concat(results[:n], src, results[n:])
	}
	rep.Volumes, rep.Results, rep.Duration = vols, results, time.Since(started)
	sum := validate.Summarize(results)

	host, _ := os.Hostname()
	if err := db.StartRun(ctx, mariadb.Run{ID: runID, Tool: "validate", Domain: d.Name, Host: host, Args: strings.Join(redact.Args(args), " ")}); err != nil {
		return err
	}
	// The final report reads each run's verdicts from the database. An account allowed
	// to write the journal but not validate_results still validates: the report file
	// holds everything, and one line says what the database will lack.
	if err := db.SaveResults(ctx, runID, results); err != nil {
		if !mariadb.IsDenied(err) {
			return err
		}
		fmt.Fprintf(stderr, "validate: results not stored in the database, the final report will lack them: %v\n", err)
	}
	status, msg := mariadb.StatusOK, fmt.Sprintf("%d checks, %d failed, %d warnings", sum.Checks, sum.Failed, sum.Warnings)
	if sum.Failed > 0 {
		status = mariadb.StatusDataErrors
	}
	if err := db.FinishRun(runID, status, mariadb.FileCounts{}, msg); err != nil {
		return err
	}

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	path := filepath.Join(*out, validate.FileName(started))
	if err := atomicfile.WriteFile(path, runID, rep.WriteText); err != nil {
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
	if sum.Failed > 0 {
		var failed []string
		for _, r := range results {
			switch {
			case r.Status != validate.Fail:
			case r.Kind == validate.Journal && len(r.Sample) > 0:
				failed = append(failed, r.Name+": "+r.Sample[0]) // which run, and what to do
			default:
				failed = append(failed, r.Name)
			}
		}
		if len(failed) > 3 {
			failed = append(failed[:3], "...")
		}
		return &cli.DataProblems{Msg: fmt.Sprintf("%d of %d checks failed (%s); report %s", sum.Failed, sum.Checks, strings.Join(failed, "; "), path)}
	}
	if !*quiet {
		fmt.Fprintf(stderr, "validate: %d checks passed (%d warnings) on %s in %.1f s; report %s\n",
			sum.Passed, sum.Warnings, rep.Database, rep.Duration.Seconds(), path)
	}
	return nil
}
