package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

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
	cli.MainLoad("migration", run)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("migration", doc, stdout)
	lf := cli.NewLoadFlags(fs, "check everything and write the reports, but write nothing to the database")
	out := cli.Out(fs, ".", "folder for log.txt, the reports and rejets/")
	entityName := fs.String("entity", "", "entity of a single file or of stdin (clients, intervenants, projets, affectations)")
	rejectsTo := fs.String("rejects", "", "write the rejected rows of a single entity to this file, or - for stdout")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Usagef("want exactly one INPUT (folder, file or -), got %d", fs.NArg())
	}
	load, err := lf.Resolve()
	if err != nil {
		return err
	}
	d := load.Domain

	sources, closeAll, err := migrate.Resolve(d, fs.Arg(0), *entityName, stdin)
	if err != nil {
		return err
	}
	defer closeAll()
	if *rejectsTo != "" && len(sources) != 1 {
		return cli.Usagef("-rejects needs a single entity: give one file or -entity")
	}
	if err := lf.NeedDSN(); err != nil {
		return err
	}

	rejects := newRejectWriter(*out, *rejectsTo, stdout)
	job := &migrate.Job{Tool: "migration", Domain: d, DryRun: *lf.DryRun, Today: load.Today,
		Sources: sources, Out: *out, LogName: "log.txt", ReportName: "rapport_reprise", ReportTitle: "Rapport de reprise (migration)",
		Rejects: rejects, BatchSize: load.Batch, Args: args, Stderr: stderr, Incremental: true}
	if *lf.DSN != "" {
		job.Open = func(ctx context.Context, log *slog.Logger) (migrate.JobStore, error) {
			return mariadb.OpenLoad(ctx, *lf.DSN, *lf.CreateDB && !*lf.DryRun, log)
		}
	}
	rep, err := job.Execute(ctx)
	if err != nil {
		return err
	}
	runID := rep.RunID
	t := rep.Totals
	skipped := ""
	if rep.FilesSkipped > 0 {
		skipped = fmt.Sprintf(", %d files skipped (unchanged, loaded before)", rep.FilesSkipped)
	}
	if *lf.Quiet && t.NewRejected() == 0 {
		return nil
	}
	updated := "" // reference rows the SQLite file changed, their old values kept in history
	if t.Updated > 0 {
		updated = fmt.Sprintf(" updated %d,", t.Updated)
	}
	fmt.Fprintf(stderr, "migration: run %s: read %d, inserted %d,%s rejected %d, ignored %d%s in %.1f s; report in %s\n",
		runID, t.Read, t.Inserted, updated, t.Rejected, t.Ignored, skipped, rep.Seconds, filepath.Join(*out, "rapport_reprise.txt"))
	if t.Unjudged > 0 {
		fmt.Fprintf(stderr, "%s: %s\n", "migration", report.UnjudgedNote(t.Unjudged))
	}
	// The exit status is about this run's new problems: rows rejected the same way by
	// the latest earlier run of the same file are known, and said so, not an error.
	if t.StillRejected > 0 {
		fmt.Fprintf(stderr, "migration: %d rows still rejected (unchanged since %s)\n", t.StillRejected, stillSince(rep))
	}
	if n := t.NewRejected(); n > 0 {
		what := "rows rejected"
		if t.StillRejected > 0 {
			what = "new rows rejected"
		}
		return &cli.DataProblems{Msg: fmt.Sprintf("%d %s (%s)", n, what, rejectsWhere(*out, *rejectsTo))}
	}
	return nil
}

// stillSince names the earlier runs whose rejections this run found again.
func stillSince(rep *report.Report) string {
	var runs []string
	for _, f := range rep.Files {
		if f.StillRejected > 0 && !slices.Contains(runs, f.StillRejectedSince) {
			runs = append(runs, f.StillRejectedSince)
		}
	}
	if len(runs) == 1 {
		return "run " + runs[0]
	}
	slices.Sort(runs)
	return "runs " + strings.Join(runs, ", ")
}

// rejectsWhere says where the rejected rows went, for the closing line.
func rejectsWhere(out, to string) string {
	switch to {
	case "":
		return "see " + filepath.Join(out, "rejets")
	case "-":
		return "written to stdout"
	}
	return "see " + to
}

func newRejectWriter(out, to string, stdout io.Writer) *migrate.RejectFiles {
	switch to {
	case "":
		return migrate.NewRejectFiles(filepath.Join(out, "rejets"))
	case "-":
		return migrate.NewRejectStream(stdout)
	}
	return migrate.NewRejectFile(to)
}
