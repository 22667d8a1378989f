package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"dmt/pkg/cli"
	"dmt/pkg/migrate"
	"dmt/pkg/report"
)

// doc is doc.go, whose comment is the manual -h prints.
//
//go:embed doc.go
var doc string

func main() {
	// The checker's key sets are most of the heap and live to the end: collecting at
	// half the default growth keeps the peak near them, for a few percent of time.
	debug.SetGCPercent(40)
	cli.Main("reprise", run)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("reprise", doc, stdout)
	dsn := cli.DSN(fs)
	domainName := cli.Domain(fs)
	createDB := cli.CreateDB(fs)
	out := cli.Out(fs, ".", "folder for log_reprise.txt, the quarantine file and the report")
	entityName := fs.String("entity", "", "entity of the input rows (default: taken from the file's name)")
	quarantine := fs.String("quarantine", "", "file for the isolated rows (default DIR/quarantaine_<entity>.csv)")
	dryRun := fs.Bool("dry-run", false, "correct, check, log and isolate, but write nothing to the database")
	update := fs.Bool("update", false, "replace rows already in the database that differ (old values logged), instead of isolating them as conflicts")
	batch := cli.Batch(fs)
	today := cli.TodayFlag(fs, "date taken as today by the not-in-the-future checks")
	quiet := cli.Quiet(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Usagef("want exactly one input (a CSV file or -), got %d", fs.NArg())
	}
	d, err := cli.LookupDomain(*domainName)
	if err != nil {
		return err
	}
	batchSize, err := batch()
	if err != nil {
		return err
	}
	day, err := today()
	if err != nil {
		return err
	}

	if st, err := os.Stat(fs.Arg(0)); fs.Arg(0) != "-" && err == nil && st.IsDir() {
		return cli.Usagef("%s is a folder: reprise reads one file of one entity", fs.Arg(0))
	}
	if !*dryRun {
		if err := cli.RequireDSN(*dsn); err != nil {
			return err
		}
	}
	sources, closeAll, err := migrate.Resolve(d, fs.Arg(0), *entityName, stdin)
	if err != nil {
		return err
	}
	defer closeAll()
	if len(sources) != 1 {
		return cli.Usagef("%s holds %d tables: reprise reads one file of one entity (give -entity)", fs.Arg(0), len(sources))
	}

	qpath := *quarantine
	if qpath == "" {
		qpath = filepath.Join(*out, "quarantaine_"+sources[0].Entity.Name+".csv")
	}
	job := &migrate.Job{Tool: "reprise", Domain: d, DSN: *dsn, CreateDB: *createDB, DryRun: *dryRun, Today: day,
		Sources: sources, Out: *out, LogName: "log_reprise.txt", ReportName: "rapport_correction",
		ReportTitle: "Rapport de correction (reprise)", Labels: [4]string{"read", "re-injected", "isolated", "ignored"},
		Rejects: migrate.NewRejectFile(qpath), BatchSize: batchSize, Repair: true, Update: *update,
		Words: migrate.Words{Inserted: "re-injected", Rejected: "isolated", EachRow: true}, Args: args, Stderr: stderr}
	rep, err := job.Execute(ctx)
	if err != nil {
		return err
	}
	t := rep.Totals
	if *quiet && t.Rejected == 0 {
		return nil
	}
	updated := ""
	if *update {
		updated = fmt.Sprintf(" updated %d,", t.Updated)
	}
	fmt.Fprintf(stderr, "reprise: run %s: read %d, re-injected %d,%s isolated %d, ignored %d in %.1f s; log in %s\n",
		rep.RunID, t.Read, t.Inserted, updated, t.Rejected, t.Ignored, rep.Seconds, filepath.Join(*out, "log_reprise.txt"))
	if t.Unjudged > 0 {
		fmt.Fprintf(stderr, "%s: %s\n", "reprise", report.UnjudgedNote(t.Unjudged))
	}
	if t.Rejected > 0 {
		return &cli.DataProblems{Msg: fmt.Sprintf("%d rows isolated in %s", t.Rejected, qpath)}
	}
	return nil
}
