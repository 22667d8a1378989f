package validate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
	"dmt/pkg/store"
)

// Statuses of a check. Error is a check that could not run (its query failed: a column
// altered or dropped, a privilege withheld, the server gone): it found nothing, neither
// offending rows nor their absence, so it is neither a pass nor a failure.
const (
	Pass  = "PASS"
	Fail  = "FAIL"
	Warn  = "WARN"
	Error = "ERROR"
)

// SampleSize is how many offending keys a result shows.
const SampleSize = 10

// Store is what validate needs of the database.
type Store interface {
	// Offenders runs query (one column k) and returns how many rows it gives and the
	// first limit of them.
	Offenders(ctx context.Context, query string, limit int) (int, []string, error)
	// Counts runs query, which gives one row of integers, and returns them.
	Counts(ctx context.Context, query string) ([]int64, error)
	// MissingTables returns the names among names that are not tables of the database.
	MissingTables(ctx context.Context, names []string) ([]string, error)
	// RowCount returns the number of rows of a table.
	RowCount(ctx context.Context, table string) (int, error)
	// RowEstimates returns the server's estimate of the rows of each table, without
	// reading them: what orders the queries.
	RowEstimates(ctx context.Context) (map[string]int, error)
	// Columns returns what the schema guarantees of every column of the database.
	Columns(ctx context.Context) ([]store.Column, error)
	// FileRuns returns the journal's accounting of a source file, by its SHA-256,
	// latest run first.
	FileRuns(ctx context.Context, sha string) ([]store.FileRun, error)
	// LatestRuns returns the latest run of each of tools on domain in the journal; a
	// tool that never ran has none.
	LatestRuns(ctx context.Context, domain string, tools []string) ([]store.LoadRun, error)
	// LoadInProgress reports whether a loading run holds a live run lease on the
	// database (not released, not expired).
	LoadInProgress(ctx context.Context) (bool, error)
	// SourceRows calls fn, in line order, with each row of e that one of runs loaded
	// from file: its source line and canonical values aligned with e.Fields (a list's
	// items in byte order). fn must not keep the slice.
	SourceRows(ctx context.Context, e *domain.Entity, file string, runs []string, fn func(line int, vals []string) error) error
	// AbsentKeys returns those of keys (as e.KeyOf gives them) no row of e holds.
	AbsentKeys(ctx context.Context, e *domain.Entity, keys []string) ([]string, error)
	// RejectedAmong returns those of lines of file that a rejection of runs records.
	RejectedAmong(ctx context.Context, file string, runs []string, lines []int) (map[int]bool, error)
}

// Result is the outcome of one check.
type Result struct {
	Check
	Status string
	Count  int
	Sample []string
	Error  string // why the check could not run (status Error)
	// Duration is the time the check's queries took. Checks that share one pass over a
	// table each show the whole pass: the pass's time is in Report.Passes once.
	Duration time.Duration
}

// Recorder keeps a run's verdicts in the database, where the final report reads them.
type Recorder interface {
	SaveResults(ctx context.Context, runID string, results []store.CheckResult) error
}

// SaveResults records results as the verdicts of validate run runID, one per check,
// through r. Its error is r's, unchanged: the store says whether the account may not
// write there.
func SaveResults(ctx context.Context, r Recorder, runID string, results []Result) error {
	rows := make([]store.CheckResult, len(results))
	for i, x := range results {
		rows[i] = store.CheckResult{Name: x.Name, Kind: x.Kind, Status: x.Status, Count: x.Count,
			Sample: x.Sample, Rule: x.Description, Error: x.Error}
	}
	return r.SaveResults(ctx, runID, rows)
}

// ErrMissingTables is returned (wrapped) when the database lacks tables of the domain.
var ErrMissingTables = errors.New("missing tables")

// Volume is the number of rows of one table.
type Volume struct {
	Table string
	Rows  int
}

// Run runs every check, two queries at a time; a check that fails or cannot run (status
// Error, its query's error kept) never stops the others. The checks that share a pass
// are counted together, one query per pass, and a check's own query runs only when its
// count is not 0 (see Check). A table's rows are counted by its pass (see runChecks).
// The results open with the state of the latest loading runs (kind Journal) and
// whether the tables hold rows. It returns ErrMissingTables, wrapped with their names,
// when the database is not one of d.
func Run(ctx context.Context, s Store, d *domain.Domain, checks []Check) ([]Volume, []Result, error) {
	missing, err := s.MissingTables(ctx, Tables(d))
	if err != nil {
		return nil, nil, err
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%w: %v (is this a %s database? run migration first)", ErrMissingTables, missing, d.Name)
	}
	rows, err := s.RowEstimates(ctx)
	if err != nil {
		return nil, nil, err
	}
	results, err := loadChecks(ctx, s, d.Name)
	if err != nil {
		return nil, nil, err
	}
	proven, err := provenChecks(ctx, s, checks)
	if err != nil {
		return nil, nil, err
	}
	vols := volumes(d)
	own, err := runChecks(ctx, s, checks, proven, rows, vols)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range vols {
		if v.err != nil {
			return nil, nil, v.err
		}
	}
	out := make([]Volume, len(vols))
	for i, v := range vols {
		out[i] = v.Volume
	}
	results = append(results, emptyCheck(out))
	return out, append(results, own...), nil
}

// provenChecks tells, check by check, whether its Proof holds of the database's schema.
func provenChecks(ctx context.Context, s Store, checks []Check) ([]bool, error) {
	list, err := s.Columns(ctx)
	if err != nil {
		return nil, err
	}
	cols := map[string]store.Column{}
	for _, c := range list {
		cols[c.Table+"."+c.Name] = c
	}
	proven := make([]bool, len(checks))
	for i, c := range checks {
		proven[i] = c.Proof.holds(cols)
	}
	return proven, nil
}

// volume is a table's row count, or why it could not be counted; counted when the
// count is known.
type volume struct {
	Volume
	err     error
	counted bool
}

// volumes returns the tables of d whose rows validate counts, not counted yet.
func volumes(d *domain.Domain) []volume {
	ts := tables(d)
	vols := make([]volume, len(ts))
	for i, t := range ts {
		vols[i].Table = t.name
	}
	return vols
}

// countJob is the job that counts v's rows by a query of its own, a COUNT(*): for a table
// without a pass of its own, or whose pass could not run.
func countJob(ctx context.Context, s Store, v *volume, rows map[string]int) job {
	return job{cost: sqlCost(rows[v.Table], "SELECT COUNT(*) FROM "+q(v.Table)), from: v.Table, run: func() {
		v.Rows, v.err = s.RowCount(ctx, v.Table)
		v.counted = v.err == nil
	}}
}

// job is one query of a run, with its estimated cost: the rows it reads times its
// work per row, which the length of its SQL stands for (a pass that recomputes
// fingerprints and matches expressions costs more per row than one that compares a
// few columns; a bare COUNT(*) the least). The jobs run longest first, so that the
// short ones fill in beside the long ones and both connections finish together:
// ordered by rows alone, a costly pass over a mid-sized table (projets, whose
// fingerprint gathers each project's sites) started last and ran alone.
//
// The passes go before every query of a check's own, whatever their estimates: a
// pass evaluates every check of its table on every row, where those queries ride an
// index or aggregate a few columns, and the length of their SQL is mostly the text of
// their samples. At 1,000,000 affectations the estimate put the affectations' volume
// check (0.1-0.2 s) before the projets pass (1.4 s), which then ran alone at the end.
type job struct {
	cost int
	pass bool   // a pass over a table (see passJobs)
	from string // what it reads, for tests: the pass's FROM clause, or the table
	run  func()
}

// sqlCost is the estimated cost of query over a table of rows.
func sqlCost(rows int, query string) int {
	return (rows + 1) * len(query)
}

// runJobs runs jobs, n at a time: the passes first, each kind costliest first.
func runJobs(jobs []job, n int) {
	slices.SortStableFunc(jobs, func(a, b job) int {
		if a.pass != b.pass {
			if a.pass {
				return -1
			}
			return 1
		}
		return b.cost - a.cost
	})
	fns := make([]func(), len(jobs))
	for i, j := range jobs {
		fns[i] = j.run
	}
	parallel(fns, n)
}

// counted is what the count of a check said: ok when it ran, n, and the check's share
// of its time (a pass's time shared equally by its checks).
type counted struct {
	ok   bool
	n    int64
	took time.Duration
}

// workers is how many queries validate runs at once: one per core of a small server,
// so that the passes over two tables go side by side.
const workers = 2

// runChecks runs the checks, workers queries at a time, in up to three rounds; a
// proven check (its Proof holds of the schema) passes without a query. The first runs
// one query per pass, the counts of their own, the own queries of the checks without a
// count and the row counts of the tables in vols that no pass counts, costliest first
// (see job). A table's pass (the table alone, as c) counts its rows beside its checks:
// one scan of the table where a COUNT(*) of its own was a second. Then each pass whose
// checks, counted together, found offending rows counts them apart (a database that
// passes skips this round). The last round runs the own queries of the checks whose
// count was not 0, and counts the rows of the tables whose pass erred; a count that
// erred leaves its checks uncounted, and their own queries then say what is wrong.
func runChecks(ctx context.Context, s Store, checks []Check, proven []bool, rows map[string]int, vols []volume) ([]Result, error) {
	own := make([]Result, len(checks))
	for i, c := range checks {
		own[i] = Result{Check: c}
		if proven[i] {
			own[i].Status = Pass
		}
	}
	counts := make([]counted, len(checks))
	jobs, scanned, details := passJobs(ctx, s, checks, proven, rows, counts, vols)
	for i := range vols {
		if !scanned[i] {
			jobs = append(jobs, countJob(ctx, s, &vols[i], rows))
		}
	}
	for i, c := range checks {
		if proven[i] || (c.Count != "" && c.Pass != "") {
			continue
		}
		if c.Count == "" {
			jobs = append(jobs, job{cost: sqlCost(rows[c.Table], c.Query), run: func() { offenders(ctx, s, &own[i]) }})
			continue
		}
		jobs = append(jobs, job{cost: sqlCost(rows[c.Table], c.Count), run: func() {
			start := time.Now()
			n, err := s.Counts(ctx, c.Count)
			if err == nil && len(n) == 1 {
				counts[i] = counted{ok: true, n: n[0]}
			}
			counts[i].took = time.Since(start)
		}})
	}
	runJobs(jobs, workers)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	runJobs(details(), workers)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	jobs = nil
	for i, c := range checks {
		if c.Count == "" || proven[i] {
			continue
		}
		own[i].Duration = counts[i].took
		if counts[i].ok && counts[i].n == 0 {
			own[i].Status = Pass
			continue
		}
		jobs = append(jobs, job{cost: sqlCost(rows[c.Table], c.Query), run: func() { offenders(ctx, s, &own[i]) }})
	}
	for i := range vols {
		if v := &vols[i]; !v.counted && v.err == nil { // its pass erred: counted alone
			jobs = append(jobs, countJob(ctx, s, v, rows))
		}
	}
	runJobs(jobs, workers)
	return own, ctx.Err()
}

// offenders runs r's own query, and sets its count, samples, status and time.
func offenders(ctx context.Context, s Store, r *Result) {
	start := time.Now()
	var err error
	r.Count, r.Sample, err = s.Offenders(ctx, r.Query, SampleSize)
	r.Duration += time.Since(start)
	switch {
	case err != nil:
		r.Status, r.Count, r.Sample, r.Error = Error, 0, nil, err.Error()
	case r.Count == 0:
		r.Status = Pass
	case r.Warn:
		r.Status = Warn
	default:
		r.Status = Fail
	}
}

// passJobs returns one job per pass (of the checks not proven): each counts all its
// checks in one query, into counts, each check's time its share of the query's. The
// checks with a Valid are counted together, as the rows where any of them offends:
// when that is 0 they all pass, and otherwise the pass's detail job (which details
// returns after the first round) counts each apart. The pass over a table of vols
// alone also counts its rows, into the table's volume: scanned tells which tables
// have such a pass.
func passJobs(ctx context.Context, s Store, checks []Check, proven []bool, rows map[string]int, counts []counted, vols []volume) (jobs []job, scanned []bool, details func() []job) {
	members := map[string][]int{}
	var passes []string
	for i, c := range checks {
		if c.Count == "" || c.Pass == "" || proven[i] {
			continue
		}
		if _, ok := members[c.Pass]; !ok {
			passes = append(passes, c.Pass)
		}
		members[c.Pass] = append(members[c.Pass], i)
	}
	scanned = make([]bool, len(vols))
	detail := make([]job, len(passes)) // the detail job of each pass whose checks offend together
	for k, p := range passes {
		var apart, together []int // the checks counted by their own aggregate, and by their Valid
		for _, i := range members[p] {
			if checks[i].Valid != "" {
				together = append(together, i)
			} else {
				apart = append(apart, i)
			}
		}
		if len(together) < 2 {
			apart, together = members[p], nil
		}
		var exprs []string
		var vol *volume // the table this pass reads alone, whose rows it counts first
		for i := range vols {
			if p == q(vols[i].Table)+" c" {
				vol, scanned[i] = &vols[i], true
				exprs = append(exprs, "COUNT(*)")
			}
		}
		first := len(exprs) // where the checks' counts start
		for _, i := range apart {
			exprs = append(exprs, checks[i].Count)
		}
		if together != nil {
			valid := make([]string, len(together))
			for j, i := range together {
				valid[j] = checks[i].Valid
			}
			exprs = append(exprs, countUnless(strings.Join(valid, " AND ")))
		}
		cost := func(query string) int { return sqlCost(rows[checks[members[p][0]].Table], query) }
		share := time.Duration(len(members[p]))
		query := passQuery(exprs, p)
		jobs = append(jobs, job{cost: cost(query), pass: true, from: p, run: func() {
			start := time.Now()
			n, err := s.Counts(ctx, query)
			took := time.Since(start) / share
			ok := err == nil && len(n) == len(exprs)
			for j, i := range apart {
				counts[i].took = took
				if ok {
					counts[i].ok, counts[i].n = true, n[first+j]
				}
			}
			for _, i := range together {
				counts[i].took = took
				if ok && n[len(n)-1] == 0 {
					counts[i].ok = true
				}
			}
			if together != nil && ok && n[len(n)-1] > 0 {
				detail[k] = detailJob(ctx, s, checks, together, counts, p, cost, share)
			}
			if ok && vol != nil {
				vol.Rows, vol.counted = int(n[0]), true
			}
		}})
	}
	return jobs, scanned, func() []job {
		var out []job
		for _, j := range detail {
			if j.run != nil {
				out = append(out, j)
			}
		}
		return out
	}
}

// detailJob counts apart, in pass p, the checks idx that were counted together and
// found offending rows; each check's time gains its share of the query's.
func detailJob(ctx context.Context, s Store, checks []Check, idx []int, counts []counted, p string, cost func(string) int, share time.Duration) job {
	exprs := make([]string, len(idx))
	for j, i := range idx {
		exprs[j] = checks[i].Count
	}
	query := passQuery(exprs, p)
	return job{cost: cost(query), pass: true, from: p, run: func() {
		start := time.Now()
		n, err := s.Counts(ctx, query)
		took := time.Since(start) / share
		ok := err == nil && len(n) == len(exprs)
		for j, i := range idx {
			counts[i].took += took
			if ok {
				counts[i].ok, counts[i].n = true, n[j]
			}
		}
	}}
}

// passQuery is the query that computes exprs over pass p, joined parents hashed (see
// hashJoin).
func passQuery(exprs []string, p string) string {
	query := "SELECT " + strings.Join(exprs, ", ") + " FROM " + p
	if strings.Contains(p, " JOIN ") {
		query = hashJoin + query
	}
	return query
}

// hashJoin prefixes a pass that joins parents: MariaDB then joins them by hashing
// (join_cache_level 3, hashed joins with flat buffers): the rows of the table are read
// into a buffer in batches, hashed on their parent's key, and each parent table is
// read once per batch and probed, where by default each row costs a descent of the
// parent's index (Batched Key Access, which sorts the keys first, did no better). At a
// million rows that is two to three times faster. The buffers (32 MB) hold only while
// the pass runs.
//
// Measured and slower at 1,000,000 affectations, whose pass with their projects and
// sites takes 1.3-1.5 s: the parents first (projets STRAIGHT_JOIN affectations), level
// 5 (incremental buffers, 1.8 s for the sites' join alone where level 3 takes 0.7 s),
// and deciding the parent rules from the children grouped by parent (MIN and MAX of
// their dates per project, their distinct sites), which the server groups in a
// temporary table: 2.4 to 8.6 s for the grouping alone.
const hashJoin = "SET STATEMENT join_cache_level = 3, join_buffer_size = 33554432, join_buffer_space_limit = 67108864 FOR "

// parallel runs jobs, n at a time, and returns when all are done.
func parallel(jobs []func(), n int) {
	next := make(chan func())
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range next {
				job()
			}
		}()
	}
	for _, job := range jobs {
		next <- job
	}
	close(next)
	wg.Wait()
}

// SourceFile is one source of a folder as migration reads it: a CSV file, a SQLite
// table streamed as CSV, or one of the weekly files, under the name the journal gives it.
// Reread opens it again from its start, for the comparison of its lines with the rows.
type SourceFile struct {
	Name   string
	Entity *domain.Entity
	R      io.Reader
	Reread func() (io.ReadCloser, error)
}

// SourceChecks compares the sources of a folder, listed as migration lists them
// (migrate.ResolveFolder), with what the journal recorded of them: the latest run that
// read each source (by content) read as many records as it holds, and accounted for
// each (read = inserted + updated + rejected + ignored). Each name in missing (a file the domain
// expects that the folder lacks) is a failure: a folder without the files cannot pass.
// Then each row those runs loaded from a source is compared with its line (kind
// Lineage, see sourceRowsCheck).
func SourceChecks(ctx context.Context, s Store, dir string, files []SourceFile, missing []string) ([]Result, error) {
	var results []Result
	for _, m := range missing {
		results = append(results, Result{Check: Check{Name: "source " + m, Kind: Volumes,
			Description: m + ": present in the source folder, as migration expects it"},
			Status: Fail, Count: 1, Sample: []string{"missing from " + dir}})
	}
	for _, f := range files {
		records, sha, err := countRecords(f.R)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", f.Name, err)
		}
		r := Result{Check: Check{Name: "source " + f.Name, Kind: Volumes,
			Description: f.Name + ": its " + fmt.Sprint(records) + " rows were read and accounted for (read = inserted + updated + rejected + ignored)"}}
		runs, err := s.FileRuns(ctx, sha)
		if err != nil {
			return nil, err
		}
		switch {
		case len(runs) == 0:
			r.Status, r.Count, r.Sample = Fail, records, []string{"no run of the journal read this file (sha256 " + sha[:12] + ")"}
		default:
			f := runs[0]
			if f.Read != records || f.Read != f.Inserted+f.Updated+f.Rejected+f.Ignored {
				r.Status, r.Count = Fail, abs(records-(f.Inserted+f.Updated+f.Rejected+f.Ignored))
				updated := ""
				if f.Updated > 0 {
					updated = fmt.Sprintf(" + %d updated", f.Updated)
				}
				r.Sample = []string{fmt.Sprintf("%s: file %d rows, journal read %d = %d inserted%s + %d rejected + %d ignored",
					f.RunID, records, f.Read, f.Inserted, updated, f.Rejected, f.Ignored)}
			} else {
				r.Status = Pass
			}
		}
		results = append(results, r)
		if len(runs) > 0 {
			ids := make([]string, len(runs))
			for i, run := range runs {
				ids[i] = run.RunID
			}
			rr, err := sourceRowsCheck(ctx, s, f.Entity, f.Name, f.Reread, ids)
			if err != nil {
				return nil, err
			}
			results = append(results, rr)
		}
	}
	return results, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// countRecords counts the records of a CSV stream as migration reads them (malformed
// records included) and hashes its bytes.
func countRecords(f io.Reader) (int, string, error) {
	h := sha256.New()
	r, err := csvfile.NewReader(io.TeeReader(f, h))
	if errors.Is(err, csvfile.ErrEmpty) {
		return 0, hex.EncodeToString(h.Sum(nil)), nil
	}
	if err != nil {
		return 0, "", err
	}
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csvfile.ParseError
		if err != nil && !errors.As(err, &pe) {
			return 0, "", err
		}
		n++
	}
	io.Copy(h, f)
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// Summary counts results by status; Errors counts the checks that could not run.
type Summary struct {
	Checks   int `json:"checks"`
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Warnings int `json:"warnings"`
	Errors   int `json:"errors"`
}

// Status is the run's verdict: ERROR when a check could not run, since the verdict is
// then incomplete (even if other checks failed: Failed says how many), else FAIL when a
// check failed, else WARN when one warned, else PASS. validate exits 2 for ERROR, 1 for
// FAIL.
func (s Summary) Status() string {
	switch {
	case s.Errors > 0:
		return Error
	case s.Failed > 0:
		return Fail
	case s.Warnings > 0:
		return Warn
	}
	return Pass
}

// Summarize counts results.
func Summarize(results []Result) Summary {
	s := Summary{Checks: len(results)}
	for _, r := range results {
		switch r.Status {
		case Pass:
			s.Passed++
		case Warn:
			s.Warnings++
		case Error:
			s.Errors++
		default:
			s.Failed++
		}
	}
	return s
}

// Timestamp is the form of the time in a report's file name.
const Timestamp = "20060102-150405"

// FileName returns the report's file name for a run started at t; n > 1 adds a suffix
// (rapport_validation_20260115-023000_2.txt) for a second run in the same second, so
// that report names sort by time and never collide.
func FileName(t time.Time, n int) string {
	suffix := ""
	if n > 1 {
		suffix = "_" + strconv.Itoa(n)
	}
	return "rapport_validation_" + t.UTC().Format(Timestamp) + suffix + ".txt"
}

// ReserveReport creates, in dir, the first free report name for a run started at t
// (O_EXCL: two runs in the same second, even at once, get two names) and returns its
// path; the report is then written over it.
func ReserveReport(dir string, t time.Time) (string, error) {
	for n := 1; ; n++ {
		path := filepath.Join(dir, FileName(t, n))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) && n < 1000 {
			continue
		}
		if err != nil {
			return "", err
		}
		return path, f.Close()
	}
}
