package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dmt"
	"dmt/pkg/check"
	"dmt/pkg/cli"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/migrate"
	"dmt/pkg/model"
	"dmt/pkg/progress"
	"dmt/pkg/report"
	"dmt/pkg/runlog"
)

const manual = `migration: load a domain's CSV files into MariaDB, every row checked and accounted for.

Usage:
  migration [-dsn DSN] [-domain clevity] [-out DIR] [-entity NAME] [-rejects FILE|-] [-dry-run] INPUT

INPUT is a folder with the domain's files, one file, or - (stdin, with -entity).
Writes log.txt (appended), rapport_reprise.txt, rapport_reprise.json and rejets/<entity>.csv in -out.
Exit status: 0 all rows inserted or ignored, 1 rows rejected, 2 could not run.

Example:
  migration -dsn 'root@tcp(127.0.0.1:3306)/clevity' -out out data_1
  migration -entity projets -rejects - data_1/projets.csv | reprise -entity projets -`

func main() { cli.Main("migration", run) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := cli.NewFlagSet("migration", manual, stderr)
	dsn := cli.DSN(fs)
	domainName := cli.Domain(fs)
	out := cli.Out(fs, ".", "folder for log.txt, the reports and rejets/")
	entityName := fs.String("entity", "", "entity of a single file or of stdin (clients, intervenants, projets, affectations)")
	rejectsTo := fs.String("rejects", "", "write the rejected rows of a single entity to this file, or - for stdout")
	dryRun := fs.Bool("dry-run", false, "check everything and write the reports, but write nothing to the database")
	batch := fs.Int("batch", 20000, "rows per transaction")
	today := fs.String("today", "", "date taken as today for not-in-the-future checks, YYYY-MM-DD (default: the real date)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Usagef("want exactly one INPUT (folder, file or -), got %d", fs.NArg())
	}
	d := domain.ByName(*domainName)
	if d == nil {
		return cli.Usagef("unknown domain %q", *domainName)
	}
	if *batch <= 0 {
		return cli.Usagef("-batch must be positive")
	}
	day := model.NewDate(time.Now())
	if *today != "" {
		t, err := time.Parse("2006-01-02", *today)
		if err != nil {
			return cli.Usagef("-today: want YYYY-MM-DD, got %q", *today)
		}
		day = model.NewDate(t)
	}
	sources, closeAll, err := resolve(d, fs.Arg(0), *entityName, stdin)
	if err != nil {
		return err
	}
	defer closeAll()
	if *rejectsTo != "" && len(sources) != 1 {
		return cli.Usagef("-rejects needs a single entity: give one file or -entity")
	}
	if !*dryRun {
		if err := cli.RequireDSN(*dsn); err != nil {
			return err
		}
	}

	started := time.Now()
	runID := cli.NewRunID(started)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	log, logFile, err := runlog.Open(filepath.Join(*out, "log.txt"), runID)
	if err != nil {
		return err
	}
	defer logFile.Close()

	files, err := migrate.Open(sources)
	if err != nil {
		log.Error("failed", "detail", err.Error())
		return err
	}

	checker := check.New(d, day)
	rep := &report.Report{Title: "Rapport de reprise (migration)", RunID: runID, Tool: "migration", DryRun: *dryRun, Started: started}
	var db *mariadb.DB
	if *dsn != "" {
		if *dryRun {
			db, err = mariadb.Open(ctx, *dsn)
		} else {
			db, err = mariadb.OpenCreate(ctx, *dsn)
		}
		if err != nil {
			log.Error("failed", "detail", err.Error())
			return err
		}
		defer db.Close()
		rep.Database = mariadb.Describe(db.Cfg)
		if !*dryRun {
			if err := db.ApplySchema(ctx, d.Name, schemaOf(d)); err != nil {
				return err
			}
			lock, err := db.Acquire(ctx, "dmt.migration."+db.Cfg.DBName, 24*time.Hour, func() {
				fmt.Fprintf(stderr, "migration: another migration is running on %s; waiting for it to finish\n", rep.Database)
				log.Info("waiting", "detail", "another migration holds the lock")
			})
			if err != nil {
				return err
			}
			defer lock.Release()
			dead, err := db.MarkInterrupted(ctx, "migration", d.Name, runID)
			if err != nil {
				return err
			}
			for _, id := range dead {
				log.Warn("interrupted", "detail", "run "+id+" was found still running; marked failed")
			}
		}
		if err := migrate.Preload(ctx, db, checker); err != nil {
			if !*dryRun {
				return err
			}
			fmt.Fprintf(stderr, "migration: dry run without the database's rows: %v\n", err)
		}
	}
	log.Info("run", "tool", "migration", "domain", d.Name, "database", rep.Database, "dry_run", *dryRun, "input", fs.Arg(0))

	rejects, err := newRejectWriter(*out, *rejectsTo, stdout)
	if err != nil {
		return err
	}
	opt := migrate.Options{RunID: runID, Tool: "migration", Checker: checker, Log: log, Rejects: rejects,
		BatchSize: *batch, DryRun: *dryRun, DB: db, Size: sourceSize}
	if !*dryRun {
		host, _ := os.Hostname()
		if err := db.StartRun(ctx, mariadb.Run{ID: runID, Tool: "migration", Domain: d.Name, Host: host,
			Args: strings.Join(args, " ")}); err != nil {
			return err
		}
	}
	if pause := os.Getenv("DMT_TEST_PAUSE_AFTER_BATCH"); pause != "" {
		opt.PauseAfterBatch, _ = time.ParseDuration(pause)
	}
	bar := progress.New(stderr)
	opt.Progress = bar.Update
	reps, runErr := migrate.Run(ctx, opt, files)
	bar.Done()
	rep.Files = reps
	if err := rejects.Close(); err != nil && runErr == nil {
		runErr = err
	}
	balanceErr := rep.Finish(time.Since(started))
	status := mariadb.StatusOK
	switch {
	case runErr != nil || balanceErr != nil:
		status = mariadb.StatusFailed
	case rep.Totals.Rejected > 0:
		status = mariadb.StatusDataErrors
	}
	msg := ""
	if runErr != nil {
		msg = runErr.Error()
	} else if balanceErr != nil {
		msg = balanceErr.Error()
	}
	if db != nil && !*dryRun {
		if err := db.FinishRun(runID, status, journalCounts(rep.Totals), msg); err != nil && runErr == nil {
			runErr = err
		}
	}
	if err := writeReports(*out, rep); err != nil && runErr == nil {
		runErr = err
	}
	log.Info("end", "status", status, "read", rep.Totals.Read, "inserted", rep.Totals.Inserted,
		"rejected", rep.Totals.Rejected, "ignored", rep.Totals.Ignored, "seconds", fmt.Sprintf("%.2f", rep.Seconds))
	if runErr != nil {
		log.Error("failed", "detail", runErr.Error())
		return runErr
	}
	if balanceErr != nil {
		return balanceErr
	}
	t := rep.Totals
	fmt.Fprintf(stderr, "migration: run %s: read %d, inserted %d, rejected %d, ignored %d in %.1f s; report in %s\n",
		runID, t.Read, t.Inserted, t.Rejected, t.Ignored, rep.Seconds, filepath.Join(*out, "rapport_reprise.txt"))
	if t.Rejected > 0 {
		return &cli.DataProblems{Msg: fmt.Sprintf("%d rows rejected (see %s)", t.Rejected, filepath.Join(*out, "rejets"))}
	}
	return nil
}

func journalCounts(c report.Counts) mariadb.FileCounts {
	return mariadb.FileCounts{Read: c.Read, Inserted: c.Inserted, Rejected: c.Rejected, Ignored: c.Ignored}
}

func schemaOf(d *domain.Domain) string {
	return dmt.ClevitySchema
}

func writeReports(dir string, rep *report.Report) error {
	for _, w := range []struct {
		name  string
		write func(io.Writer) error
	}{{"rapport_reprise.txt", rep.WriteText}, {"rapport_reprise.json", rep.WriteJSON}} {
		if err := cli.WriteFile(filepath.Join(dir, w.name), w.write); err != nil {
			return err
		}
	}
	return nil
}

func resolve(d *domain.Domain, input, entity string, stdin io.Reader) ([]*migrate.Source, func(), error) {
	sources, closeAll, err := migrate.Resolve(d, input, entity, stdin)
	if err != nil {
		return nil, nil, err
	}
	return sources, closeAll, nil
}

func sourceSize(src *migrate.Source) int64 { return migrate.Size(src) }

func newRejectWriter(out, to string, stdout io.Writer) (*migrate.RejectFiles, error) {
	switch to {
	case "":
		return migrate.NewRejectFiles(filepath.Join(out, "rejets")), nil
	case "-":
		return migrate.NewRejectStream(stdout, nil), nil
	}
	f, err := os.Create(to)
	if err != nil {
		return nil, fmt.Errorf("rejects: %w", err)
	}
	return migrate.NewRejectStream(f, f), nil
}
