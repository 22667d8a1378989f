package validate

import (
	"context"
	"fmt"
	"strings"

	"dmt/pkg/store"
)

// Journal is the kind of the checks on the journal's runs, reported first: when a load
// did not finish, the other checks judge a half-loaded database.
const Journal = "journal"

// loadChecks judges the latest run of each loading tool of d. Finished (ok, or with
// rows rejected) passes. Failed, or still "running" while no run holds a live run
// lease (the run died: killed, or cut off from its server until its lease expired),
// fails: the database may be half-loaded, and running the same command again finishes
// the job. Either while a live lease is held is a load in progress: a warning, since
// that load is finishing or redoing the job. A journal without any loading run is a warning: the rows came from
// elsewhere (the volume checks then say whether any rows are there).
func loadChecks(ctx context.Context, s Store, d string) ([]Result, error) {
	runs, busy, err := latestLoads(ctx, s, d)
	if err != nil {
		return nil, err
	}
	byTool := map[string]store.LoadRun{}
	for _, r := range runs {
		byTool[r.Tool] = r
	}
	var results []Result
	for i, tool := range store.LoadingTools {
		res := Result{Check: Check{Name: "last " + tool + " run", Kind: Journal,
			Description: "the latest " + tool + " run of the journal finished; a failed or interrupted one may have left the database half-loaded"},
			Status: Pass}
		r, ran := byTool[tool]
		switch {
		case !ran && len(runs) == 0 && i == 0:
			res.Status, res.Count = Warn, 1
			res.Sample = []string{"no " + strings.Join(store.LoadingTools, " or ") + " run in the journal: nothing was loaded by the toolkit"}
		case !ran:
		case r.Status != store.StatusRunning && r.Status != store.StatusFailed:
		case busy:
			res.Status, res.Count = Warn, 1
			res.Sample = []string{fmt.Sprintf("a load is in progress (run %s, started %s UTC, %s)", r.RunID, r.Started, r.Status)}
		case r.Status == store.StatusFailed:
			res.Status, res.Count = Fail, 1
			res.Sample = []string{fmt.Sprintf("run %s (%s, started %s UTC) failed: %s", r.RunID, tool, r.Started, oneLine(r.Message))}
		default:
			res.Status, res.Count = Fail, 1
			res.Sample = []string{fmt.Sprintf("interrupted run %s (%s, started %s UTC): still marked running, but no run holds a live run lease; run the same command again to finish",
				r.RunID, tool, r.Started)}
		}
		results = append(results, res)
	}
	return results, nil
}

// latestLoads returns the latest loading runs and, when one of them did not finish,
// whether a run holds a live lease. A run seen running while the lease is free may just
// have ended: the journal is read again until what it says agrees with the lease (a run
// records its end before it releases its lease).
func latestLoads(ctx context.Context, s Store, d string) ([]store.LoadRun, bool, error) {
	runs, err := s.LatestRuns(ctx, d, store.LoadingTools)
	if err != nil {
		return nil, false, err
	}
	for range 3 {
		if !unfinished(runs) {
			return runs, false, nil
		}
		busy, err := s.LoadInProgress(ctx)
		if err != nil || busy || !anyRunning(runs) {
			return runs, busy, err
		}
		again, err := s.LatestRuns(ctx, d, store.LoadingTools)
		if err != nil {
			return nil, false, err
		}
		if sameRuns(runs, again) {
			return runs, false, nil
		}
		runs = again
	}
	return runs, false, nil
}

func unfinished(runs []store.LoadRun) bool {
	for _, r := range runs {
		if r.Status == store.StatusRunning || r.Status == store.StatusFailed {
			return true
		}
	}
	return false
}

func anyRunning(runs []store.LoadRun) bool {
	for _, r := range runs {
		if r.Status == store.StatusRunning {
			return true
		}
	}
	return false
}

func sameRuns(a, b []store.LoadRun) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].RunID != b[i].RunID || a[i].Status != b[i].Status {
			return false
		}
	}
	return true
}

// oneLine keeps a journal message to one short line for the report.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "no message"
	}
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "..."
	}
	return s
}

// emptyCheck names the tables of the domain that hold no row. An empty table is a
// warning (a source not delivered yet, a list nobody filled); a database where every
// table is empty fails: a nightly check must not call "valid" a database that holds
// nothing, whether it was never loaded, loaded elsewhere, or lost its rows, and cron
// mails only the failures.
func emptyCheck(vols []Volume) Result {
	r := Result{Check: Check{Name: "tables hold rows", Kind: Volumes,
		Description: "every table of the domain holds rows; an empty table is a warning, a database without any row fails"},
		Status: Pass}
	for _, v := range vols {
		if v.Rows == 0 {
			r.Sample = append(r.Sample, v.Table)
		}
	}
	r.Count = len(r.Sample)
	switch {
	case r.Count == 0:
	case r.Count == len(vols):
		r.Status = Fail
		r.Sample = []string{"every table is empty: " + strings.Join(r.Sample, ", ")}
	default:
		r.Status = Warn
	}
	return r
}
