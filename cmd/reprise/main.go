package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"dmt/pkg/cli"
	"dmt/pkg/mariadb"
	"dmt/pkg/migrate"
	"dmt/pkg/report"
)

// doc is doc.go, whose comment is the manual -h prints.
//
//go:embed doc.go
var doc string

// The engine reaches the database through its ports; mariadb is the store wired here.
var (
	_ migrate.Store    = (*mariadb.DB)(nil)
	_ migrate.JobStore = (*mariadb.DB)(nil)
)

func main() {
	cli.MainLoad("reprise", run)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("reprise", doc, stdout)
	lf := cli.NewLoadFlags(fs, "correct, check, log and isolate, but write nothing to the database")
	out := cli.Out(fs, ".", "folder for log_reprise.txt, the quarantine file and the report")
	entityName := fs.String("entity", "", "entity of the input rows (default: taken from the file's name)")
	quarantine := fs.String("quarantine", "", "file for the isolated rows (default DIR/quarantaine_<entity>.csv)")
	update := fs.Bool("update", false, "replace rows already in the database that differ (old values logged), instead of isolating them as conflicts")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Usagef("want exactly one input (a CSV file or -), got %d", fs.NArg())
	}
	load, err := lf.Resolve()
	if err != nil {
		return err
	}
	d := load.Domain

	if st, err := os.Stat(fs.Arg(0)); fs.Arg(0) != "-" && err == nil && st.IsDir() {
		return cli.Usagef("%s is a folder: reprise reads one file of one entity", fs.Arg(0))
	}
	if err := lf.NeedDSN(); err != nil {
		return err
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
	job := &migrate.Job{Tool: "reprise", Domain: d, DryRun: *lf.DryRun, Today: load.Today,
		Sources: sources, Out: *out, LogName: "log_reprise.txt", ReportName: "rapport_correction",
		ReportTitle: "Rapport de correction (reprise)", Labels: [4]string{"read", "re-injected", "isolated", "ignored"},
		Rejects: migrate.NewRejectFile(qpath), BatchSize: load.Batch, Repair: true, Update: *update,
		Words: migrate.Words{Inserted: "re-injected", Rejected: "isolated", EachRow: true}, Args: args, Stderr: stderr}
	if *lf.DSN != "" {
		job.Open = func(ctx context.Context, log *slog.Logger) (migrate.JobStore, error) {
			return mariadb.OpenLoad(ctx, *lf.DSN, *lf.CreateDB && !*lf.DryRun, log)
		}
	}
	rep, err := job.Execute(ctx)
	if err != nil {
		return err
	}
	t := rep.Totals
	if *lf.Quiet && t.Rejected == 0 {
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
