package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dmt/pkg/atomicfile"
	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/model"
	"dmt/pkg/progress"
	"dmt/pkg/redact"
	"dmt/pkg/report"
	"dmt/pkg/rules"
	"dmt/pkg/runid"
	"dmt/pkg/runlog"
	"dmt/pkg/schema"
)

// Job is one run of a loading tool (migration, reprise) from its command line: the
// engine opens the database, takes the tool's lock, preloads what is already loaded,
// runs the sources, and records everything in the journal, the log and the reports.
type Job struct {
	Tool        string
	Domain      *domain.Domain
	DSN         string // "" only with DryRun: check without the database's rows
	CreateDB    bool   // create the database when it does not exist (-create-db)
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
	// Incremental skips files loaded whole before and tells rows still rejected from new
	// ones (see Options.Incremental): migration's weekly reruns.
	Incremental bool
	Words       Words
	Args        []string // the command line, recorded in the journal without its passwords
	Stderr      io.Writer
}

// Interrupted is the error of a run stopped by a signal. What its committed batches
// wrote stays, and is what the journal and the report count; running the same command
// again finishes the job.
type Interrupted struct {
	RunID     string
	Committed report.Counts
	Err       error
}

func (e *Interrupted) Error() string {
	c := e.Committed
	return fmt.Sprintf("interrupted after %d rows committed (run %s: %d inserted, %d rejected, %d ignored); run the same command again to finish",
		c.Read, e.RunID, c.Inserted, c.Rejected, c.Ignored)
}

func (e *Interrupted) Unwrap() error { return e.Err }

// Execute runs the job. It returns the report (nil when it could not start) and an
// error for what stopped it; rows rejected are not an error, the report says so.
func (j *Job) Execute(ctx context.Context) (*report.Report, error) {
	started := time.Now()
	runID := runid.New(started)
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
	var held *mariadb.Lease // nil for a dry run
	if j.DSN != "" {
		if j.CreateDB && !j.DryRun {
			db, err = mariadb.OpenCreate(ctx, j.DSN, mariadb.DriverLog(log))
		} else {
			db, err = mariadb.Open(ctx, j.DSN, mariadb.DriverLog(log))
		}
		if err != nil {
			log.Error("failed", "detail", err.Error())
			return nil, err
		}
		defer db.Close()
		rep.Database = mariadb.Describe(db.Cfg)
		if err := db.CheckDomain(ctx, d.Name); err != nil {
			return nil, err
		}
		if j.DryRun {
			if err := dryRunSchema(ctx, db, d.Name); err != nil {
				return nil, err
			}
		} else {
			// migration and reprise both write the tables: they take turns, holding the
			// run lease. The schema is brought up to date under the lease, so two runs
			// never run DDL at once (AcquireLease only creates the lease's own table
			// when it is missing). Every writing run holds the lease while its journal
			// row says running: once this run holds it, the others so marked are dead
			// (their lease expired, or they could not record their end).
			lease, err := db.AcquireLease(ctx, mariadb.LeaseRequest{Name: mariadb.LoadLease, RunID: runID, Tool: j.Tool,
				Duration: leaseDuration(), Waiting: func(h mariadb.LeaseHolder) {
					fmt.Fprintf(j.Stderr, "%s: another migration or reprise is running on %s (%s); waiting for it to finish\n", j.Tool, rep.Database, h)
					log.Info("waiting", "detail", h.String()+" holds the run lease until "+h.Expires+" UTC unless it renews it")
				}})
			if err != nil {
				return nil, err
			}
			defer lease.Release()
			held = lease
			if h := lease.TookOver; h != nil {
				log.Warn("lease", "detail", "took over the run lease of "+h.String()+": it expired at "+h.Expires+" UTC without being released")
			}
			if err := db.Migrate(ctx, d.Name, runID); err != nil {
				return nil, err
			}
			dead, err := db.MarkInterrupted(ctx, j.Tool, d.Name, runID)
			if err != nil {
				return nil, err
			}
			for _, id := range dead {
				log.Warn("interrupted", "detail", "run "+id+" was found still running without a live lease; marked failed")
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
		BatchSize: j.BatchSize, DryRun: j.DryRun, DB: db, Size: Size, Words: j.Words, Incremental: j.Incremental}
	if j.Repair {
		opt.Repair = func(e *domain.Entity, raw []string) ([]string, []rules.Correction, []rules.Violation) {
			return check.Repair(e, raw, j.Today)
		}
	}
	if !j.DryRun {
		host, _ := os.Hostname()
		if err := db.StartRun(ctx, mariadb.Run{ID: runID, Tool: j.Tool, Domain: d.Name, Host: host, Args: strings.Join(redact.Args(j.Args), " ")}); err != nil {
			return nil, err
		}
	}
	// A batch is written only while the run still holds its lease and its log can be
	// written: a run that lost either stops, its committed batches kept.
	opt.BeforeBatch = func() error {
		if held != nil {
			if err := held.Err(); err != nil {
				return err
			}
		}
		return logFile.Err()
	}
	if pause := os.Getenv("DMT_TEST_PAUSE_AFTER_BATCH"); pause != "" {
		opt.PauseAfterBatch, _ = time.ParseDuration(pause)
	}
	// Tests of a server that does not come back wait seconds, not the default 30 s.
	if within := os.Getenv("DMT_TEST_RECONNECT_WITHIN"); within != "" && db != nil {
		db.ReconnectWithin, _ = time.ParseDuration(within)
	}
	bar := progress.New(j.Stderr)
	opt.Progress = bar.Update
	reps, runErr := Run(ctx, opt, files)
	bar.Done()
	if runErr == nil && held != nil {
		runErr = held.Err() // lost after the last batch was checked
	}
	if runErr == nil {
		runErr = logFile.Err()
	}
	rep.Files = reps
	for _, f := range files[len(reps):] {
		f.rep.State = report.StateNotRead
		rep.Files = append(rep.Files, f.rep)
	}
	if runErr == nil {
		kept, err := j.Rejects.Commit(runID, j.Sources)
		if err != nil {
			runErr = err
		}
		for _, k := range kept {
			log.Info("kept", "file", k, "detail", "the previous version of a file this run replaced")
		}
	}
	switch {
	case runErr != nil && ctx.Err() != nil:
		rep.Status = report.StateInterrupted
	case runErr != nil:
		rep.Status = report.StateFailed
	}
	balanceErr := rep.Finish(time.Since(started))
	if rep.Status == report.StateInterrupted && balanceErr == nil {
		runErr = &Interrupted{RunID: runID, Committed: rep.Totals, Err: runErr}
	}
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
	// The reports replaced are kept under the id of the run that wrote them, read from
	// the JSON one: each run's report stays findable by its run id.
	keptAs := previousReportRun(filepath.Join(j.Out, j.ReportName+".json"), runID)
	for _, w := range []struct {
		ext   string
		write func(io.Writer) error
	}{{".txt", rep.WriteText}, {".json", rep.WriteJSON}} {
		if err := atomicfile.WriteFile(filepath.Join(j.Out, j.ReportName+w.ext), keptAs, w.write); err != nil && runErr == nil {
			runErr = err
		}
	}
	log.Info("end", "status", status, "read", rep.Totals.Read, "inserted", rep.Totals.Inserted, "updated", rep.Totals.Updated,
		"rejected", rep.Totals.Rejected, "ignored", rep.Totals.Ignored, "seconds", fmt.Sprintf("%.2f", rep.Seconds))
	if runErr != nil {
		log.Error("failed", "detail", runErr.Error())
		return rep, runErr
	}
	if err := logFile.Err(); err != nil {
		return rep, err // the last lines could not be written
	}
	return rep, balanceErr
}

// leaseDuration is mariadb.DefaultLeaseDuration, or DMT_TEST_LEASE: tests of
// expired leases wait seconds, not a minute.
func leaseDuration() time.Duration {
	if s := os.Getenv("DMT_TEST_LEASE"); s != "" {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return mariadb.DefaultLeaseDuration
}

// previousReportRun returns the run id recorded in the JSON report at path, the name
// under which the reports it replaces are kept (NAME.<run_id>.EXT). When there is no
// such report, or it names no run id of the toolkit's form, it returns runID, the id of
// the run replacing it.
func previousReportRun(path, runID string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return runID
	}
	var old struct {
		RunID string `json:"run_id"`
	}
	if json.Unmarshal(data, &old) != nil || !runid.Valid(old.RunID) {
		return runID
	}
	return old.RunID
}

// dryRunSchema lets a dry run read a database whose schema is current, or one with no
// schema yet (the files are then checked without the database's rows). A dry run writes
// nothing, so it cannot bring an older schema up to date: it says so.
func dryRunSchema(ctx context.Context, db *mariadb.DB, domain string) error {
	steps, err := schema.Steps(domain)
	if err != nil {
		return err
	}
	st, err := db.ReadSchemaState(ctx, steps)
	if err != nil || st.Empty {
		return err
	}
	if err := st.CheckCurrent(mariadb.Describe(db.Cfg)); err != nil {
		return fmt.Errorf("%w (a dry run changes nothing: run once without -dry-run to upgrade)", err)
	}
	return nil
}
