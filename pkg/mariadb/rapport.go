package mariadb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"dmt/pkg/domain"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// journalTables are the toolkit's own tables, left out of the rows-per-table count.
var journalTables = []string{"journal", "journal_files", "journal_batches", "rejections", "schema_version",
	"database_domain", "validate_results", "corrections"}

// timeLayout is how DATETIME(3) columns read as text.
const timeLayout = "2006-01-02 15:04:05.000"

func parseTime(s sql.NullString) time.Time {
	if !s.Valid {
		return time.Time{}
	}
	for _, l := range []string{timeLayout, time.DateTime} {
		if t, err := time.Parse(l, s.String); err == nil {
			return t
		}
	}
	return time.Time{}
}

// ReadHistory reads what the database knows of the migration of domain d since the
// date since (YYYY-MM-DD, "" for the whole journal): the runs and their files, the
// rejections by code with examples, reprise's corrections and quarantine, validate's
// results, the rows per table now, a row traced to its origin and, for distributech,
// the stock at today (YYYY-MM-DD). It only reads.
func (db *DB) ReadHistory(ctx context.Context, d *domain.Domain, since, today string) (*store.History, error) {
	if since == "" {
		since = "1000-01-01"
	}
	f := &store.History{}
	steps := []struct {
		what string
		read func() error
	}{
		{"files", func() error { return db.readFiles(ctx, d.Name, since, f) }},
		{"sources", func() error { return db.readSources(ctx, d.Name, since, f) }},
		{"tables", func() error { return db.readTables(ctx, d, f) }},
		{"rejections", func() error {
			var err error
			f.Codes, f.Rejected, err = db.readCodes(ctx, d.Name, since, "migration")
			return err
		}},
		{"corrections", func() error { return db.readCorrections(ctx, d.Name, since, f) }},
		{"isolated rows", func() error {
			var err error
			f.Isolated, f.IsolatedRows, err = db.readCodes(ctx, d.Name, since, "reprise")
			return err
		}},
		{"quarantine", func() error { return db.readQuarantine(ctx, d.Name, f) }},
		{"validations", func() error { return db.readValidations(ctx, d.Name, since, f) }},
		{"runs", func() error { return db.readRuns(ctx, d.Name, since, f) }},
		{"trace", func() error { return db.readTrace(ctx, d, f) }},
	}
	for _, s := range steps {
		if err := s.read(); err != nil {
			return nil, fmt.Errorf("read %s: %w", s.what, FormatError(err))
		}
	}
	if d.Name == "distributech" {
		if err := db.readStock(ctx, today, f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (db *DB) readFiles(ctx context.Context, dom, since string, f *store.History) error {
	return db.pool.SelectContext(ctx, &f.Files, "SELECT j.tool, fi.file, fi.entity, COUNT(*) AS runs, SUM(fi.`read`) AS `read`,"+
		" SUM(fi.inserted) AS inserted, SUM(fi.rejected) AS rejected, SUM(fi.ignored) AS ignored, SUM(fi.updated) AS updated"+
		" FROM journal_files fi JOIN journal j ON j.run_id = fi.run_id WHERE j.started_at >= ? AND j.domain = ?"+
		" GROUP BY j.tool, fi.file, fi.entity ORDER BY j.tool = 'reprise', MIN(j.started_at), fi.file", since, dom)
}

func (db *DB) readSources(ctx context.Context, dom, since string, f *store.History) error {
	var rows []struct {
		store.Source
		First sql.NullString `db:"first_seen"`
	}
	if err := db.pool.SelectContext(ctx, &rows, `SELECT fi.file, fi.entity, fi.sha256, COALESCE(MAX(fi.size), 0) AS size,
		MIN(j.started_at) AS first_seen, COUNT(*) AS runs,
		SUBSTRING_INDEX(GROUP_CONCAT(j.run_id ORDER BY j.started_at, j.run_id), ',', 1) AS first_run
		FROM journal_files fi JOIN journal j ON j.run_id = fi.run_id
		WHERE fi.sha256 IS NOT NULL AND j.started_at >= ? AND j.domain = ?
		GROUP BY fi.file, fi.entity, fi.sha256 ORDER BY MIN(j.started_at), fi.file`, since, dom); err != nil {
		return err
	}
	for _, r := range rows {
		r.FirstSeen = parseTime(r.First)
		f.Sources = append(f.Sources, r.Source)
	}
	return nil
}

// readTables counts the rows of every table but the toolkit's own: the domain's in its
// load order, then the others by name.
func (db *DB) readTables(ctx context.Context, d *domain.Domain, f *store.History) error {
	var names []string
	if err := db.pool.SelectContext(ctx, &names, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"); err != nil {
		return err
	}
	var order []string
	for _, e := range d.Entities {
		for _, h := range e.Headers {
			order = append(order, h.Table)
		}
		order = append(order, e.Name)
		for _, l := range e.Lists {
			order = append(order, l.Table)
		}
	}
	rank := func(n string) int {
		if i := slices.Index(order, n); i >= 0 {
			return i
		}
		return len(order)
	}
	names = slices.DeleteFunc(names, func(n string) bool { return slices.Contains(journalTables, n) })
	sort.SliceStable(names, func(i, j int) bool {
		if ri, rj := rank(names[i]), rank(names[j]); ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		var c int64
		if err := db.pool.GetContext(ctx, &c, "SELECT COUNT(*) FROM "+rules.QuoteIdent(n)); err != nil {
			return err
		}
		f.Tables = append(f.Tables, store.TableRows{Table: n, Rows: c})
	}
	return nil
}

// maxExampleCodes is how many codes get examples, most frequent first.
const maxExampleCodes = 10

// readCodes counts the rejections tool recorded in the period by code (a row carrying
// two codes counts under both) and reads up to 3 distinct rows for each of the most
// frequent codes. rowsN is the number of rejected rows.
func (db *DB) readCodes(ctx context.Context, dom, since, tool string) (codes []store.CodeCount, rowsN int64, err error) {
	var groups []struct {
		Codes string `db:"codes"`
		N     int64  `db:"n"`
	}
	if err := db.pool.SelectContext(ctx, &groups, `SELECT r.codes, COUNT(*) AS n FROM rejections r JOIN journal j ON j.run_id = r.run_id
		WHERE j.started_at >= ? AND j.domain = ? AND r.tool = ? GROUP BY r.codes`, since, dom, tool); err != nil {
		return nil, 0, err
	}
	byCode := map[string]int64{}
	for _, g := range groups {
		rowsN += g.N
		for _, c := range strings.Split(g.Codes, ",") {
			if c = strings.TrimSpace(c); c != "" {
				byCode[c] += g.N
			}
		}
	}
	for c, n := range byCode {
		codes = append(codes, store.CodeCount{Code: c, Rows: n})
	}
	sort.Slice(codes, func(i, j int) bool {
		if codes[i].Rows != codes[j].Rows {
			return codes[i].Rows > codes[j].Rows
		}
		return codes[i].Code < codes[j].Code
	})
	for i := range codes[:min(len(codes), maxExampleCodes)] {
		ex, err := db.readExamples(ctx, dom, since, tool, codes[i].Code)
		if err != nil {
			return nil, 0, err
		}
		codes[i].Examples = ex
	}
	return codes, rowsN, nil
}

func (db *DB) readExamples(ctx context.Context, dom, since, tool, code string) ([]store.Example, error) {
	var out []store.Example
	err := db.pool.SelectContext(ctx, &out, `SELECT r.file, r.line, MIN(COALESCE(r.raw, '')) AS raw, MIN(COALESCE(r.detail, '')) AS detail
		FROM rejections r JOIN journal j ON j.run_id = r.run_id
		WHERE j.started_at >= ? AND j.domain = ? AND r.tool = ? AND FIND_IN_SET(?, r.codes) > 0
		GROUP BY r.file, r.line ORDER BY MIN(r.id) LIMIT 3`, since, dom, tool, code)
	return out, err
}

func (db *DB) readCorrections(ctx context.Context, dom, since string, f *store.History) error {
	if err := db.pool.SelectContext(ctx, &f.Corrections, `SELECT c.rule, COUNT(*) AS count FROM corrections c JOIN journal j ON j.run_id = c.run_id
		WHERE j.started_at >= ? AND j.domain = ? GROUP BY c.rule ORDER BY COUNT(*) DESC, c.rule`, since, dom); err != nil {
		return err
	}
	for i := range f.Corrections {
		f.Corrected += f.Corrections[i].Count
		if err := db.pool.SelectContext(ctx, &f.Corrections[i].Examples, `SELECT COALESCE(c.origin_file, c.file) AS file,
			COALESCE(c.origin_line, c.line) AS line, c.field,
			COALESCE(c.before_value, '') AS before_value, COALESCE(c.after_value, '') AS after_value
			FROM corrections c JOIN journal j ON j.run_id = c.run_id
			WHERE j.started_at >= ? AND j.domain = ? AND c.rule = ? ORDER BY c.id LIMIT 3`, since, dom, f.Corrections[i].Rule); err != nil {
			return err
		}
	}
	return nil
}

// readQuarantine finds, per entity, the latest finished reprise run: the quarantine
// file it wrote, which replaced the earlier one, holds the rows it isolated. It is the
// state now, whatever the period.
func (db *DB) readQuarantine(ctx context.Context, dom string, f *store.History) error {
	var rows []struct {
		store.Quarantine
		Started sql.NullString `db:"started_at"`
	}
	if err := db.pool.SelectContext(ctx, &rows, `SELECT fi.entity, j.run_id, j.started_at,
		(SELECT COUNT(*) FROM rejections r WHERE r.run_id = j.run_id AND r.entity = fi.entity) AS `+"`rows`"+`
		FROM journal j JOIN journal_files fi ON fi.run_id = j.run_id
		WHERE j.tool = 'reprise' AND j.domain = ? AND j.status IN ('ok', 'data_errors')
		ORDER BY j.started_at DESC, j.run_id DESC`, dom); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.Entity] {
			continue
		}
		seen[r.Entity] = true
		r.When = parseTime(r.Started)
		f.Quarantine = append(f.Quarantine, r.Quarantine)
	}
	return nil
}

func (db *DB) readValidations(ctx context.Context, dom, since string, f *store.History) error {
	var runs []struct {
		store.Validation
		Started sql.NullString `db:"started_at"`
		Status  string         `db:"status"` // the journal's
	}
	if err := db.pool.SelectContext(ctx, &runs, `SELECT j.run_id, j.started_at, j.status, COALESCE(j.message, '') AS message,
		COUNT(v.check_name) AS checks, COALESCE(SUM(v.status = 'FAIL'), 0) AS failed, COALESCE(SUM(v.status = 'WARN'), 0) AS warnings,
		COALESCE(SUM(v.status = 'ERROR'), 0) AS errors
		FROM journal j LEFT JOIN validate_results v ON v.run_id = j.run_id
		WHERE j.tool = 'validate' AND j.domain = ? AND j.started_at >= ?
		GROUP BY j.run_id, j.started_at, j.status, j.message ORDER BY j.started_at, j.run_id`, dom, since); err != nil {
		return err
	}
	for _, r := range runs {
		v := r.Validation
		v.Started = parseTime(r.Started)
		v.Stored = v.Checks > 0
		switch { // checks that could not run leave the verdict incomplete, whatever failed
		case v.Stored && v.Errors > 0, !v.Stored && r.Status == store.StatusFailed:
			v.Status = "ERROR"
		case v.Stored && v.Failed > 0, !v.Stored && r.Status != store.StatusOK:
			v.Status = "FAIL"
		case v.Warnings > 0:
			v.Status = "WARN"
		default:
			v.Status = "PASS"
		}
		f.Validations = append(f.Validations, v)
	}

	var results []struct {
		Name    string         `db:"check_name"`
		Status  string         `db:"status"`
		Count   int64          `db:"count"`
		Rule    string         `db:"rule"`
		RunID   string         `db:"run_id"`
		Started sql.NullString `db:"started_at"`
	}
	if err := db.pool.SelectContext(ctx, &results, `SELECT v.check_name, v.status, v.count, COALESCE(v.rule, '') AS rule, j.run_id, j.started_at
		FROM validate_results v JOIN journal j ON j.run_id = v.run_id
		WHERE j.domain = ? AND j.started_at >= ? AND v.check_name IN (
			SELECT v2.check_name FROM validate_results v2 JOIN journal j2 ON j2.run_id = v2.run_id
			WHERE v2.status = 'FAIL' AND j2.domain = ? AND j2.started_at >= ?)
		ORDER BY j.started_at, j.run_id`, dom, since, dom, since); err != nil {
		return err
	}
	byName := map[string]*store.CheckHistory{}
	var names []string
	for _, r := range results {
		at := parseTime(r.Started)
		h := byName[r.Name]
		if h == nil {
			h = &store.CheckHistory{Name: r.Name, Rule: r.Rule}
			byName[r.Name] = h
			names = append(names, r.Name)
		}
		switch {
		case r.Status == "FAIL":
			if h.FirstFailed.IsZero() {
				h.FirstFailed = at
			}
			h.LastFailed, h.LastCount = at, r.Count
			h.FailedRuns++
			h.Fixed, h.FixedBy = time.Time{}, ""
		case r.Status == "ERROR": // could not run: neither failed again nor fixed
		case !h.LastFailed.IsZero() && h.FixedBy == "":
			h.Fixed, h.FixedBy = at, r.RunID
		}
	}
	for _, n := range names {
		f.FailedChecks = append(f.FailedChecks, *byName[n])
	}
	return nil
}

func (db *DB) readRuns(ctx context.Context, dom, since string, f *store.History) error {
	var runs []struct {
		store.Run
		Started sql.NullString `db:"started_at"`
		Ended   sql.NullString `db:"ended_at"`
	}
	if err := db.pool.SelectContext(ctx, &runs, "SELECT run_id, tool, status, started_at, ended_at, COALESCE(message, '') AS message,"+
		" `read`, inserted, rejected, ignored, updated FROM journal WHERE domain = ? AND started_at >= ? ORDER BY started_at, run_id", dom, since); err != nil {
		return err
	}
	for _, r := range runs {
		r.Run.Started, r.Run.Ended = parseTime(r.Started), parseTime(r.Ended)
		f.Runs = append(f.Runs, r.Run)
	}
	for _, r := range f.Runs {
		if !slices.Contains(store.LoadingTools, r.Tool) || (r.Status != store.StatusFailed && r.Status != store.StatusRunning) {
			continue
		}
		in, err := db.finisher(ctx, dom, r)
		if err != nil {
			return err
		}
		f.Interrupted = append(f.Interrupted, in)
	}
	return nil
}

// finisher finds the run that finished the job of r, a run that did not finish: for
// each file r left unfinished (no SHA-256: not read to its end), the next run of the
// same tool that read a file of that name whole; the job is finished by the latest of
// those. When r left no file unfinished (it stopped between files), the next run of the
// same tool that finished.
func (db *DB) finisher(ctx context.Context, dom string, r store.Run) (store.Interruption, error) {
	in := store.Interruption{Run: r}
	if err := db.pool.SelectContext(ctx, &in.Unfinished, "SELECT file FROM journal_files WHERE run_id = ? AND sha256 IS NULL ORDER BY file", r.ID); err != nil {
		return in, err
	}
	started := r.Started.Format(timeLayout)
	var later struct {
		RunID   string         `db:"run_id"`
		Started sql.NullString `db:"started_at"`
	}
	if len(in.Unfinished) == 0 {
		err := db.pool.GetContext(ctx, &later, `SELECT run_id, started_at FROM journal WHERE tool = ? AND domain = ? AND started_at > ?
			AND status IN ('ok', 'data_errors') ORDER BY started_at, run_id LIMIT 1`, r.Tool, dom, started)
		if errors.Is(err, sql.ErrNoRows) {
			return in, nil
		}
		if err != nil {
			return in, err
		}
		in.FinishedBy, in.FinishedAt = later.RunID, parseTime(later.Started)
		return in, nil
	}
	for _, file := range in.Unfinished {
		err := db.pool.GetContext(ctx, &later, `SELECT j.run_id, j.started_at FROM journal_files fi JOIN journal j ON j.run_id = fi.run_id
			WHERE j.tool = ? AND j.domain = ? AND fi.file = ? AND fi.sha256 IS NOT NULL AND j.started_at > ?
			ORDER BY j.started_at, j.run_id LIMIT 1`, r.Tool, dom, file, started)
		if errors.Is(err, sql.ErrNoRows) {
			return store.Interruption{Run: r, Unfinished: in.Unfinished}, nil
		}
		if err != nil {
			return in, err
		}
		if t := parseTime(later.Started); t.After(in.FinishedAt) || in.FinishedBy == "" {
			in.FinishedBy, in.FinishedAt = later.RunID, t
		}
	}
	return in, nil
}

// TraceQuery is the query the report shows to follow a row of table (key column key)
// to its run and file; its one parameter is the row's key.
func TraceQuery(table, key string) string {
	return "SELECT t." + rules.QuoteIdent(key) + ", t.run_id, t.source_file, t.source_line, t.origin_file, t.origin_line,\n" +
		"       j.tool, j.started_at, f.sha256\n" +
		"FROM " + rules.QuoteIdent(table) + " t\n" +
		"JOIN journal j ON j.run_id = t.run_id\n" +
		"LEFT JOIN journal_files f ON f.run_id = t.run_id AND f.file = t.source_file\n" +
		"WHERE t." + rules.QuoteIdent(key) + " = ?"
}

// readTrace picks a real row to follow: one re-injected from a file the toolkit wrote
// (it has an origin) when there is one, else the first row of the last table of the
// load order that has rows.
func (db *DB) readTrace(ctx context.Context, d *domain.Domain, f *store.History) error {
	var candidates []*domain.Entity
	for _, e := range d.Entities {
		if e.KeyColumn() != "" {
			candidates = append(candidates, e)
		}
	}
	pick := func(where string) (*domain.Entity, string, error) {
		for i := len(candidates) - 1; i >= 0; i-- {
			e := candidates[i]
			var key string
			err := db.pool.GetContext(ctx, &key, "SELECT CAST("+rules.QuoteIdent(e.KeyColumn())+" AS CHAR) FROM "+rules.QuoteIdent(e.Name)+where+
				" ORDER BY "+rules.QuoteIdent(e.KeyColumn())+" LIMIT 1")
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, "", err
			}
			return e, key, nil
		}
		return nil, "", nil
	}
	e, key, err := pick(" WHERE origin_file IS NOT NULL")
	if err == nil && e == nil {
		e, key, err = pick("")
	}
	if err != nil || e == nil {
		return err
	}
	t := &store.Trace{Query: TraceQuery(e.Name, e.KeyColumn()), Table: e.Name, KeyColumn: e.KeyColumn()}
	var started, originFile, sha sql.NullString
	var originLine sql.NullInt64
	// The query is the one the report shows, its columns as a person would write them:
	// read by position.
	if err := db.pool.QueryRowContext(ctx, t.Query, key).Scan(&t.Key, &t.RunID, &t.SourceFile, &t.SourceLine,
		&originFile, &originLine, &t.Tool, &started, &sha); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil // its run is not in the journal: nothing to show
		}
		return err
	}
	t.OriginFile, t.OriginLine, t.SHA256, t.Started = originFile.String, originLine.Int64, sha.String, parseTime(started)
	f.Trace = t
	return nil
}

// readStock reads distributech's stock at today: the count per status and the
// products at or under their threshold, by ref.
func (db *DB) readStock(ctx context.Context, today string, f *store.History) error {
	states, err := db.StockStates(ctx, today)
	if err != nil {
		return err
	}
	s := &store.Stock{At: today, ByStatus: map[string]int{}, Total: len(states)}
	for _, st := range states {
		status := st.Status()
		s.ByStatus[status]++
		if status == rules.StockRupture || status == rules.StockSousSeuil {
			s.Products = append(s.Products, store.Product{Ref: st.Ref, Nom: st.Nom, Actuel: st.Actuel, Seuil: st.Seuil, Status: status})
		}
	}
	f.Stock = s
	return nil
}
