package migrate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dmt/pkg/atomicfile"
	"dmt/pkg/check"
	"dmt/pkg/cli"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/model"
	"dmt/pkg/progress"
	"dmt/pkg/report"
	"dmt/pkg/rules"
	"dmt/pkg/runlog"
)

// Job is one run of a loading tool (migration, reprise) from its command line: the
// engine opens the database, takes the tool's lock, preloads what is already loaded,
// runs the sources, and records everything in the journal, the log and the reports.
type Job struct {
	Tool        string
	Domain      *domain.Domain
	Schema      string // applied when tables are missing
	DSN         string // "" only with DryRun: check without the database's rows
	DryRun      bool
	Today       model.Date
	Sources     []*Source
	Out         string
	LogName     string // file in Out, appended
	ReportName  string // base name in Out of the .txt and .json reports
	ReportTitle string
	Labels      [4]string
	Rejects     *RejectFiles // committed when the run succeeds, after its inputs were read
	BatchSize   int
	Repair      bool
	Update      bool // replace loaded rows that differ instead of rejecting them as conflicts
	Words       Words
	Args        []string
	Stderr      io.Writer
}

// Execute runs the job. It returns the report (nil when it could not start) and an
// error for what stopped it; rows rejected are not an error, the report says so.
func (j *Job) Execute(ctx context.Context) (*report.Report, error) {
	started := time.Now()
	runID := cli.NewRunID(started)
	if err := os.MkdirAll(j.Out, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	log, logFile, err := runlog.Open(filepath.Join(j.Out, j.LogName), runID)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	// A run that stops before committing its rejected rows removes their temporary files
	// and leaves the previous ones as they were.
	defer j.Rejects.Abort()
	files, err := Open(j.Sources)
	if err != nil {
		log.Error("failed", "detail", err.Error())
		return nil, err
	}

	d := j.Domain
	checker := check.New(d, j.Today)
	if j.Update {
		checker.AllowReplace()
	}
	rep := &report.Report{Title: j.ReportTitle, RunID: runID, Tool: j.Tool, DryRun: j.DryRun, Started: started, Labels: j.Labels}
	var db *mariadb.DB
	if j.DSN != "" {
		if j.DryRun {
			db, err = mariadb.Open(ctx, j.DSN)
		} else {
			db, err = mariadb.OpenCreate(ctx, j.DSN)
		}
		if err != nil {
			log.Error("failed", "detail", err.Error())
			return nil, err
		}
		defer db.Close()
		rep.Database = mariadb.Describe(db.Cfg)
		if !j.DryRun {
			if err := db.ApplySchema(ctx, d.Name, j.Schema); err != nil {
				return nil, err
			}
			// migration and reprise both write the tables: they take turns.
			lock, err := db.Acquire(ctx, "dmt.load."+db.Cfg.DBName, 24*time.Hour, func() {
				fmt.Fprintf(j.Stderr, "%s: another migration or reprise is running on %s; waiting for it to finish\n", j.Tool, rep.Database)
				log.Info("waiting", "detail", "another run holds the lock")
			})
			if err != nil {
				return nil, err
			}
			defer lock.Release()
			dead, err := db.MarkInterrupted(ctx, j.Tool, d.Name, runID)
			if err != nil {
				return nil, err
			}
			for _, id := range dead {
				log.Warn("interrupted", "detail", "run "+id+" was found still running; marked failed")
			}
		}
		if err := Preload(ctx, db, checker); err != nil {
			if !j.DryRun {
				return nil, err
			}
			fmt.Fprintf(j.Stderr, "%s: dry run without the database's rows: %v\n", j.Tool, err)
		}
	}
	inputs := make([]string, len(j.Sources))
	for i, s := range j.Sources {
		inputs[i] = s.Name
	}
	log.Info("run", "tool", j.Tool, "domain", d.Name, "database", rep.Database, "dry_run", j.DryRun, "input", strings.Join(inputs, ","))

	opt := Options{RunID: runID, Tool: j.Tool, Checker: checker, Log: log, Rejects: j.Rejects,
		BatchSize: j.BatchSize, DryRun: j.DryRun, DB: db, Size: Size, Words: j.Words}
	if j.Repair {
		opt.Repair = func(e *domain.Entity, raw []string) ([]string, []rules.Correction, []rules.Violation) {
			return check.Repair(e, raw, j.Today)
		}
	}
	if !j.DryRun {
		host, _ := os.Hostname()
		if err := db.StartRun(ctx, mariadb.Run{ID: runID, Tool: j.Tool, Domain: d.Name, Host: host, Args: strings.Join(j.Args, " ")}); err != nil {
			return nil, err
		}
	}
	if pause := os.Getenv("DMT_TEST_PAUSE_AFTER_BATCH"); pause != "" {
		opt.PauseAfterBatch, _ = time.ParseDuration(pause)
	}
	bar := progress.New(j.Stderr)
	opt.Progress = bar.Update
	reps, runErr := Run(ctx, opt, files)
	bar.Done()
	rep.Files = reps
	if runErr == nil {
		kept, err := j.Rejects.Commit(runID, j.Sources)
		if err != nil {
			runErr = err
		}
		for _, k := range kept {
			log.Info("kept", "file", k, "detail", "the previous version of a file this run replaced")
		}
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
	if db != nil && !j.DryRun {
		t := rep.Totals
		if err := db.FinishRun(runID, status, mariadb.FileCounts{Read: t.Read, Inserted: t.Inserted, Rejected: t.Rejected, Ignored: t.Ignored, Updated: t.Updated}, msg); err != nil && runErr == nil {
			runErr = err
		}
	}
	for _, w := range []struct {
		ext   string
		write func(io.Writer) error
	}{{".txt", rep.WriteText}, {".json", rep.WriteJSON}} {
		if err := atomicfile.WriteFile(filepath.Join(j.Out, j.ReportName+w.ext), runID, w.write); err != nil && runErr == nil {
			runErr = err
		}
	}
	log.Info("end", "status", status, "read", rep.Totals.Read, "inserted", rep.Totals.Inserted, "updated", rep.Totals.Updated,
		"rejected", rep.Totals.Rejected, "ignored", rep.Totals.Ignored, "seconds", fmt.Sprintf("%.2f", rep.Seconds))
	if runErr != nil {
		log.Error("failed", "detail", runErr.Error())
		return rep, runErr
	}
	return rep, balanceErr
}
