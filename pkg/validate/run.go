package validate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
)

// Statuses of a check.
const (
	Pass = "PASS"
	Fail = "FAIL"
	Warn = "WARN"
)

// SampleSize is how many offending keys a result shows.
const SampleSize = 10

// Store is what validate needs of the database.
type Store interface {
	// Offenders runs query (one column k) and returns how many rows it gives and the
	// first limit of them.
	Offenders(ctx context.Context, query string, limit int) (int, []string, error)
	// MissingTables returns the names among names that are not tables of the database.
	MissingTables(ctx context.Context, names []string) ([]string, error)
	// RowCount returns the number of rows of a table.
	RowCount(ctx context.Context, table string) (int, error)
	// FileRuns returns the journal's accounting of a source file, by its SHA-256,
	// latest run first.
	FileRuns(ctx context.Context, sha string) ([]FileRun, error)
	// LatestRuns returns the latest run of each of tools on domain in the journal; a
	// tool that never ran has none.
	LatestRuns(ctx context.Context, domain string, tools []string) ([]LoadRun, error)
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

// FileRun is one run's accounting of one source file.
type FileRun struct {
	RunID, Tool, Status               string
	Read, Inserted, Rejected, Ignored int
}

// Result is the outcome of one check.
type Result struct {
	Check
	Status string
	Count  int
	Sample []string
	Error  string // the check could not run: counted as a failure
}

// ErrMissingTables is returned (wrapped) when the database lacks tables of the domain.
var ErrMissingTables = errors.New("missing tables")

// Volume is the number of rows of one table.
type Volume struct {
	Table string
	Rows  int
}

// Run runs every check, one query each; a check that fails or errs never stops the
// others. The results open with the state of the latest loading runs (kind Journal)
// and whether the tables hold rows. It returns ErrMissingTables, wrapped with their
// names, when the database is not one of d.
func Run(ctx context.Context, s Store, d *domain.Domain, checks []Check) ([]Volume, []Result, error) {
	missing, err := s.MissingTables(ctx, Tables(d))
	if err != nil {
		return nil, nil, err
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%w: %v (is this a %s database? run migration first)", ErrMissingTables, missing, d.Name)
	}
	var vols []Volume
	for _, t := range tables(d) {
		n, err := s.RowCount(ctx, t.name)
		if err != nil {
			return nil, nil, err
		}
		vols = append(vols, Volume{t.name, n})
	}
	results, err := loadChecks(ctx, s, d.Name)
	if err != nil {
		return nil, nil, err
	}
	results = append(results, emptyCheck(vols))
	for _, c := range checks {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		r := Result{Check: c}
		r.Count, r.Sample, err = s.Offenders(ctx, c.Query, SampleSize)
		switch {
		case err != nil:
			r.Status, r.Error = Fail, err.Error()
		case r.Count == 0:
			r.Status = Pass
		case c.Warn:
			r.Status = Warn
		default:
			r.Status = Fail
		}
		results = append(results, r)
	}
	return vols, results, nil
}

// SourceChecks compares the files of d found in dir with what the journal recorded of
// them: the latest run that read each file (by content) read as many records as the
// file holds, and accounted for each (read = inserted + rejected + ignored). Then each
// row those runs loaded from the file is compared with its line (kind Lineage, see
// sourceRowsCheck).
func SourceChecks(ctx context.Context, s Store, d *domain.Domain, dir string) ([]Result, error) {
	var results []Result
	for _, e := range d.Entities {
		path := filepath.Join(dir, e.File)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		records, sha, err := countRecords(path)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", path, err)
		}
		r := Result{Check: Check{Name: "source " + e.File, Kind: Volumes,
			Description: e.File + ": its " + fmt.Sprint(records) + " rows were read and accounted for (read = inserted + rejected + ignored)"}}
		runs, err := s.FileRuns(ctx, sha)
		if err != nil {
			return nil, err
		}
		switch {
		case len(runs) == 0:
			r.Status, r.Count, r.Sample = Fail, records, []string{"no run of the journal read this file (sha256 " + sha[:12] + ")"}
		default:
			f := runs[0]
			if f.Read != records || f.Read != f.Inserted+f.Rejected+f.Ignored {
				r.Status, r.Count = Fail, abs(records-(f.Inserted+f.Rejected+f.Ignored))
				r.Sample = []string{fmt.Sprintf("%s: file %d rows, journal read %d = %d inserted + %d rejected + %d ignored",
					f.RunID, records, f.Read, f.Inserted, f.Rejected, f.Ignored)}
			} else {
				r.Status = Pass
			}
		}
		results = append(results, r)
		if len(runs) > 0 {
			ids := make([]string, len(runs))
			for i, f := range runs {
				ids[i] = f.RunID
			}
			rr, err := sourceRowsCheck(ctx, s, e, path, ids)
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

// countRecords counts the records of a CSV file as migration reads them (malformed
// records included) and hashes its bytes.
func countRecords(path string) (int, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
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

// Summary counts results by status.
type Summary struct {
	Checks, Passed, Failed, Warnings int
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
		default:
			s.Failed++
		}
	}
	return s
}

// Timestamp is the form of the time in a report's file name.
const Timestamp = "20060102-150405"

// FileName returns the report's file name for a run started at t.
func FileName(t time.Time) string { return "rapport_validation_" + t.UTC().Format(Timestamp) + ".txt" }
