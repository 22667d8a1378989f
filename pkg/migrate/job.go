package migrate

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dmt/pkg/atomicfile"
	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/progress"
	"dmt/pkg/redact"
	"dmt/pkg/report"
	"dmt/pkg/rules"
	"dmt/pkg/runid"
	"dmt/pkg/runlog"
	"dmt/pkg/store"
)

// Job is one run of a loading tool (migration, reprise) from its command line: the
// engine opens the database, takes the tool's lock, preloads what is already loaded,
// runs the sources, and records everything in the journal, the log and the reports.
type Job struct {
	Tool   string
	Domain *domain.Domain
	// Open opens the database the run reads and writes, the driver's messages going to
	// log (the run's log, opened first); nil only with DryRun: check without the
	// database's rows. The programs wire it to the store (cmd/migration: mariadb), so
	// that the engine knows the database only through JobStore.
	Open        func(ctx context.Context, log *slog.Logger) (JobStore, error)
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
	r := &jobRun{Job: j, started: time.Now()}
	defer r.close()
	files, err := r.open()
	if err != nil {
		return nil, err
	}
	if j.Open != nil {
		if err := r.connect(ctx); err != nil {
			return nil, err
		}
	}
	inputs := make([]string, len(j.Sources))
	for i, s := range j.Sources {
		inputs[i] = s.Name
	}
	r.log.Info("run", "tool", j.Tool, "domain", j.Domain.Name, "database", r.rep.Database, "dry_run", j.DryRun, "input", strings.Join(inputs, ","))
	opt := r.options()
	if !j.DryRun {
		host, _ := os.Hostname()
		run := store.Run{ID: r.runID, Tool: j.Tool, Domain: j.Domain.Name, Host: host, Args: strings.Join(redact.Args(j.Args), " ")}
		if err := r.db.StartRun(ctx, run); err != nil {
			return nil, err
		}
	}
	return r.finish(ctx, r.load(ctx, opt, files))
}

// jobRun is one execution of a Job: what its steps share.
type jobRun struct {
	*Job
	started time.Time
	runID   string
	log     *slog.Logger
	logFile *runlog.File
	checker *check.Checker
	rep     *report.Report
	db      JobStore    // nil for a dry run without a database
	held    store.Lease // the run lease; nil for a dry run
	closers []func()    // what close releases, in reverse order
}

// close releases what the run opened, the last opened first.
func (r *jobRun) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
}

// open gives the run its id and its log, and reads the header of every source, so that
// a missing column stops the run before the database is touched.
func (r *jobRun) open() ([]*opened, error) {
	r.runID = runid.New(r.started)
	if err := os.MkdirAll(r.Out, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	log, logFile, err := runlog.Open(filepath.Join(r.Out, r.LogName), r.runID)
	if err != nil {
		return nil, err
	}
	r.log, r.logFile = log, logFile
	r.closers = append(r.closers, func() { logFile.Close() })
	// A run that stops before committing its rejected rows removes their temporary files
	// and leaves the previous ones as they were.
	r.closers = append(r.closers, func() { r.Rejects.Abort() })
	files, err := Open(r.Sources)
	if err != nil {
		log.Error("failed", "detail", err.Error())
		return nil, err
	}
	r.checker = check.New(r.Domain, r.Today)
	if r.Update {
		r.checker.AllowReplace()
	}
	r.rep = &report.Report{Title: r.ReportTitle, RunID: r.runID, Tool: r.Tool, DryRun: r.DryRun, Started: r.started, Labels: r.Labels}
	return files, nil
}

// connect opens the database, checks that it holds the domain, brings its schema up to
// date under the run lease (a dry run only checks it), and lets the checker look up the
// rows already loaded.
func (r *jobRun) connect(ctx context.Context) error {
	db, err := r.Open(ctx, r.log)
	if err != nil {
		r.log.Error("failed", "detail", err.Error())
		return err
	}
	r.db = db
	r.closers = append(r.closers, func() { db.Close() })
	r.rep.Database = db.Describe()
	if err := db.CheckDomain(ctx, r.Domain.Name); err != nil {
		return err
	}
	if r.DryRun {
		err = db.CheckDryRun(ctx, r.Domain.Name)
	} else {
		err = r.takeLease(ctx)
	}
	if err != nil {
		return err
	}
	if err := r.lookUp(ctx); err != nil {
		if !r.DryRun {
			return err
		}
		fmt.Fprintf(r.Stderr, "%s: dry run without the database's rows: %v\n", r.Tool, err)
	}
	return nil
}

// takeLease waits for the run lease and, holding it, upgrades the schema and marks
// dead the runs the journal still says are running. migration and reprise both write
// the tables: they take turns, holding the lease. The schema is brought up to date under
// it, so two runs never run DDL at once (AcquireLease only creates the lease's own table
// when it is missing). Every writing run holds the lease while its journal row says
// running: once this run holds it, the others so marked are dead (their lease expired,
// or they could not record their end).
func (r *jobRun) takeLease(ctx context.Context) error {
	lease, err := r.db.AcquireLease(ctx, store.LeaseRequest{Name: store.LoadLease, RunID: r.runID, Tool: r.Tool,
		Duration: leaseDuration(),
		Waiting: func(h store.LeaseHolder) {
			fmt.Fprintf(r.Stderr, "%s: another migration or reprise is running on %s (%s); waiting for it to finish\n", r.Tool, r.rep.Database, h)
			r.log.Info("waiting", "detail", h.String()+" holds the run lease until "+h.Expires+" UTC unless it renews it")
		},
		TookOver: func(h store.LeaseHolder) {
			r.log.Warn("lease", "detail", "took over the run lease of "+h.String()+": it expired at "+h.Expires+" UTC without being released")
		}})
	if err != nil {
		return err
	}
	r.closers = append(r.closers, lease.Release)
	r.held = lease
	if err := r.db.Migrate(ctx, r.Domain.Name, r.runID); err != nil {
		return err
	}
	dead, err := r.db.MarkInterrupted(ctx, r.Tool, r.Domain.Name, r.runID)
	if err != nil {
		return err
	}
	for _, id := range dead {
		r.log.Warn("interrupted", "detail", "run "+id+" was found still running without a live lease; marked failed")
	}
	return nil
}

// options are the engine's options for this run.
func (r *jobRun) options() Options {
	opt := Options{RunID: r.runID, Tool: r.Tool, Checker: r.checker, Log: r.log, Rejects: r.Rejects,
		BatchSize: r.BatchSize, DryRun: r.DryRun, Size: Size, Words: r.Words, Incremental: r.Incremental}
	if r.db != nil {
		opt.Store = r.db
	} else {
		r.checker.FilesAlone()
	}
	if r.Repair {
		opt.Repair = func(e *domain.Entity, raw []string) ([]string, []rules.Correction, []rules.Violation) {
			return check.Repair(e, raw, r.Today)
		}
	}
	// A batch is written only while the run still holds its lease and its log can be
	// written: a run that lost either stops, its committed batches kept.
	opt.BeforeBatch = func() error {
		if r.held != nil {
			if err := r.held.Err(); err != nil {
				return err
			}
		}
		return r.logFile.Err()
	}
	if pause := os.Getenv("DMT_TEST_PAUSE_AFTER_BATCH"); pause != "" {
		opt.PauseAfterBatch, _ = time.ParseDuration(pause)
	}
	return opt
}

// load runs the sources, a progress bar on stderr, and commits the rejected-rows files
// when every source was loaded.
func (r *jobRun) load(ctx context.Context, opt Options, files []*opened) error {
	bar := progress.New(r.Stderr)
	opt.Progress = bar.Update
	reps, runErr := Run(ctx, opt, files)
	bar.Done()
	if runErr == nil && r.held != nil {
		runErr = r.held.Err() // lost after the last batch was checked
	}
	if runErr == nil {
		runErr = r.logFile.Err()
	}
	r.rep.Files = reps
	for _, f := range files[len(reps):] {
		f.rep.State = report.StateNotRead
		r.rep.Files = append(r.rep.Files, f.rep)
	}
	if runErr != nil {
		return runErr
	}
	kept, err := r.Rejects.Commit(r.runID, r.Sources)
	for _, k := range kept {
		r.log.Info("kept", "file", k, "detail", "the previous version of a file this run replaced")
	}
	return err
}

// finish balances the report, records the run's end in the journal, writes the
// reports and logs the end. It returns the report and what went wrong, first the error
// that stopped the run.
func (r *jobRun) finish(ctx context.Context, runErr error) (*report.Report, error) {
	rep := r.rep
	switch {
	case runErr != nil && ctx.Err() != nil:
		rep.Status = report.StateInterrupted
	case runErr != nil:
		rep.Status = report.StateFailed
	}
	balanceErr := rep.Finish(time.Since(r.started))
	if rep.Status == report.StateInterrupted && balanceErr == nil {
		runErr = &Interrupted{RunID: r.runID, Committed: rep.Totals, Err: runErr}
	}
	status := store.StatusOK
	switch {
	case runErr != nil || balanceErr != nil:
		status = store.StatusFailed
	case rep.Totals.Rejected > 0:
		status = store.StatusDataErrors
	}
	runErr = withLater(runErr, r.recordEnd(status, cmp.Or(runErr, balanceErr)))
	runErr = withLater(runErr, r.writeReports())
	r.log.Info("end", "status", status, "read", rep.Totals.Read, "inserted", rep.Totals.Inserted, "updated", rep.Totals.Updated,
		"rejected", rep.Totals.Rejected, "ignored", rep.Totals.Ignored, "seconds", fmt.Sprintf("%.2f", rep.Seconds))
	if runErr != nil {
		r.log.Error("failed", "detail", runErr.Error())
		return rep, runErr
	}
	if err := r.logFile.Err(); err != nil {
		return rep, err // the last lines could not be written
	}
	return rep, balanceErr
}

// recordEnd writes the run's status, totals and problem (nil: none) to the journal.
func (r *jobRun) recordEnd(status string, problem error) error {
	if r.db == nil || r.DryRun {
		return nil
	}
	msg := ""
	if problem != nil {
		msg = problem.Error()
	}
	t := r.rep.Totals
	return r.db.FinishRun(r.runID, status, store.Counts{Read: int64(t.Read), Inserted: int64(t.Inserted), Rejected: int64(t.Rejected),
		Ignored: int64(t.Ignored), Updated: int64(t.Updated)}, msg)
}

// writeReports writes the text and JSON reports. The reports replaced are kept under the
// id of the run that wrote them, read from the JSON one: each run's report stays
// findable by its run id.
func (r *jobRun) writeReports() error {
	keptAs := previousReportRun(filepath.Join(r.Out, r.ReportName+".json"), r.runID)
	var err error
	for _, w := range []struct {
		ext   string
		write func(io.Writer) error
	}{{".txt", r.rep.WriteText}, {".json", r.rep.WriteJSON}} {
		err = withLater(err, atomicfile.WriteFile(filepath.Join(r.Out, r.ReportName+w.ext), keptAs, w.write))
	}
	return err
}

// leaseDuration is DMT_TEST_LEASE (tests of expired leases wait seconds, not a
// minute), or 0: the store's default.
func leaseDuration() time.Duration {
	if s := os.Getenv("DMT_TEST_LEASE"); s != "" {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return 0
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
