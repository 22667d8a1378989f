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
	"dmt/pkg/rapport"
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

// ReadFacts fills f with what the database knows of the migration of domain d since
// f.Since (YYYY-MM-DD, "" for the whole journal): the runs and their files, the
// rejections by code with examples, reprise's corrections and quarantine, validate's
// results, the rows per table now, a row traced to its origin and, for distributech,
// the stock at f.Today. It only reads.
func (db *DB) ReadFacts(ctx context.Context, d *domain.Domain, f *rapport.Facts) error {
	since := "1000-01-01"
	if f.Since != "" {
		since = f.Since
	}
	f.Domain = d.Name
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
			return fmt.Errorf("read %s: %w", s.what, FormatError(err))
		}
	}
	if d.Name == "distributech" {
		if err := db.readStock(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) readFiles(ctx context.Context, dom, since string, f *rapport.Facts) error {
	rows, err := db.QueryContext(ctx, "SELECT j.tool, fi.file, fi.entity, COUNT(*), SUM(fi.`read`), SUM(fi.inserted), SUM(fi.rejected), SUM(fi.ignored), SUM(fi.updated)"+
		" FROM journal_files fi JOIN journal j ON j.run_id = fi.run_id WHERE j.started_at >= ? AND j.domain = ?"+
		" GROUP BY j.tool, fi.file, fi.entity ORDER BY j.tool = 'reprise', MIN(j.started_at), fi.file", since, dom)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var x rapport.FileTotals
		if err := rows.Scan(&x.Tool, &x.File, &x.Entity, &x.Runs, &x.Read, &x.Inserted, &x.Rejected, &x.Ignored, &x.Updated); err != nil {
			return err
		}
		f.Files = append(f.Files, x)
	}
	return rows.Err()
}

func (db *DB) readSources(ctx context.Context, dom, since string, f *rapport.Facts) error {
	rows, err := db.QueryContext(ctx, `SELECT fi.file, fi.entity, fi.sha256, COALESCE(MAX(fi.size), 0), MIN(j.started_at), COUNT(*),
		SUBSTRING_INDEX(GROUP_CONCAT(j.run_id ORDER BY j.started_at, j.run_id), ',', 1)
		FROM journal_files fi JOIN journal j ON j.run_id = fi.run_id
		WHERE fi.sha256 IS NOT NULL AND j.started_at >= ? AND j.domain = ?
		GROUP BY fi.file, fi.entity, fi.sha256 ORDER BY MIN(j.started_at), fi.file`, since, dom)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s rapport.Source
		var first sql.NullString
		if err := rows.Scan(&s.File, &s.Entity, &s.SHA256, &s.Size, &first, &s.Runs, &s.FirstRun); err != nil {
			return err
		}
		s.FirstSeen = parseTime(first)
		f.Sources = append(f.Sources, s)
	}
	return rows.Err()
}

// readTables counts the rows of every table but the toolkit's own: the domain's in its
// load order, then the others by name.
func (db *DB) readTables(ctx context.Context, d *domain.Domain, f *rapport.Facts) error {
	var names []string
	if err := db.SelectContext(ctx, &names, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"); err != nil {
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
		if err := db.GetContext(ctx, &c, "SELECT COUNT(*) FROM "+quoteIdent(n)); err != nil {
			return err
		}
		f.Tables = append(f.Tables, rapport.TableRows{Table: n, Rows: c})
	}
	return nil
}

// maxExampleCodes is how many codes get examples, most frequent first.
const maxExampleCodes = 10

// readCodes counts the rejections tool recorded in the period by code (a row carrying
// two codes counts under both) and reads up to 3 distinct rows for each of the most
// frequent codes. rowsN is the number of rejected rows.
func (db *DB) readCodes(ctx context.Context, dom, since, tool string) (codes []rapport.CodeCount, rowsN int64, err error) {
	rows, err := db.QueryContext(ctx, `SELECT r.codes, COUNT(*) FROM rejections r JOIN journal j ON j.run_id = r.run_id
		WHERE j.started_at >= ? AND j.domain = ? AND r.tool = ? GROUP BY r.codes`, since, dom, tool)
	if err != nil {
		return nil, 0, err
	}
	byCode := map[string]int64{}
	for rows.Next() {
		var list string
		var n int64
		if err := rows.Scan(&list, &n); err != nil {
			rows.Close()
			return nil, 0, err
		}
		rowsN += n
		for _, c := range strings.Split(list, ",") {
			if c = strings.TrimSpace(c); c != "" {
				byCode[c] += n
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for c, n := range byCode {
		codes = append(codes, rapport.CodeCount{Code: c, Rows: n})
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

func (db *DB) readExamples(ctx context.Context, dom, since, tool, code string) ([]rapport.Example, error) {
	rows, err := db.QueryContext(ctx, `SELECT r.file, r.line, MIN(COALESCE(r.raw, '')), MIN(COALESCE(r.detail, ''))
		FROM rejections r JOIN journal j ON j.run_id = r.run_id
		WHERE j.started_at >= ? AND j.domain = ? AND r.tool = ? AND FIND_IN_SET(?, r.codes) > 0
		GROUP BY r.file, r.line ORDER BY MIN(r.id) LIMIT 3`, since, dom, tool, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rapport.Example
	for rows.Next() {
		var e rapport.Example
		if err := rows.Scan(&e.File, &e.Line, &e.Raw, &e.Detail); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (db *DB) readCorrections(ctx context.Context, dom, since string, f *rapport.Facts) error {
	rows, err := db.QueryContext(ctx, `SELECT c.rule, COUNT(*) FROM corrections c JOIN journal j ON j.run_id = c.run_id
		WHERE j.started_at >= ? AND j.domain = ? GROUP BY c.rule ORDER BY COUNT(*) DESC, c.rule`, since, dom)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r rapport.RuleCount
		if err := rows.Scan(&r.Rule, &r.Count); err != nil {
			rows.Close()
			return err
		}
		f.Corrected += r.Count
		f.Corrections = append(f.Corrections, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range f.Corrections {
		rows, err := db.QueryContext(ctx, `SELECT COALESCE(c.origin_file, c.file), COALESCE(c.origin_line, c.line), c.field,
			COALESCE(c.before_value, ''), COALESCE(c.after_value, '')
			FROM corrections c JOIN journal j ON j.run_id = c.run_id
			WHERE j.started_at >= ? AND j.domain = ? AND c.rule = ? ORDER BY c.id LIMIT 3`, since, dom, f.Corrections[i].Rule)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c rapport.Change
			if err := rows.Scan(&c.File, &c.Line, &c.Field, &c.Before, &c.After); err != nil {
				rows.Close()
				return err
			}
			f.Corrections[i].Examples = append(f.Corrections[i].Examples, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// readQuarantine finds, per entity, the latest finished reprise run: the quarantine
// file it wrote, which replaced the earlier one, holds the rows it isolated. It is the
// state now, whatever the period.
func (db *DB) readQuarantine(ctx context.Context, dom string, f *rapport.Facts) error {
	rows, err := db.QueryContext(ctx, `SELECT fi.entity, j.run_id, j.started_at,
		(SELECT COUNT(*) FROM rejections r WHERE r.run_id = j.run_id AND r.entity = fi.entity)
		FROM journal j JOIN journal_files fi ON fi.run_id = j.run_id
		WHERE j.tool = 'reprise' AND j.domain = ? AND j.status IN ('ok', 'data_errors')
		ORDER BY j.started_at DESC, j.run_id DESC`, dom)
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var q rapport.Quarantine
		var when sql.NullString
		if err := rows.Scan(&q.Entity, &q.RunID, &when, &q.Rows); err != nil {
			return err
		}
		if seen[q.Entity] {
			continue
		}
		seen[q.Entity] = true
		q.When = parseTime(when)
		f.Quarantine = append(f.Quarantine, q)
	}
	return rows.Err()
}

func (db *DB) readValidations(ctx context.Context, dom, since string, f *rapport.Facts) error {
	rows, err := db.QueryContext(ctx, `SELECT j.run_id, j.started_at, j.status, COALESCE(j.message, ''), COUNT(v.check_name),
		COALESCE(SUM(v.status = 'FAIL'), 0), COALESCE(SUM(v.status = 'WARN'), 0)
		FROM journal j LEFT JOIN validate_results v ON v.run_id = j.run_id
		WHERE j.tool = 'validate' AND j.domain = ? AND j.started_at >= ?
		GROUP BY j.run_id, j.started_at, j.status, j.message ORDER BY j.started_at, j.run_id`, dom, since)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v rapport.Validation
		var started sql.NullString
		var status string
		if err := rows.Scan(&v.RunID, &started, &status, &v.Message, &v.Checks, &v.Failed, &v.Warnings); err != nil {
			rows.Close()
			return err
		}
		v.Started = parseTime(started)
		v.Stored = v.Checks > 0
		switch {
		case v.Stored && v.Failed > 0, !v.Stored && status != StatusOK:
			v.Status = "FAIL"
		case v.Warnings > 0:
			v.Status = "WARN"
		default:
			v.Status = "PASS"
		}
		f.Validations = append(f.Validations, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	rows, err = db.QueryContext(ctx, `SELECT v.check_name, v.status, v.count, COALESCE(v.rule, ''), j.run_id, j.started_at
		FROM validate_results v JOIN journal j ON j.run_id = v.run_id
		WHERE j.domain = ? AND j.started_at >= ? AND v.check_name IN (
			SELECT v2.check_name FROM validate_results v2 JOIN journal j2 ON j2.run_id = v2.run_id
			WHERE v2.status = 'FAIL' AND j2.domain = ? AND j2.started_at >= ?)
		ORDER BY j.started_at, j.run_id`, dom, since, dom, since)
	if err != nil {
		return err
	}
	defer rows.Close()
	byName := map[string]*rapport.CheckHistory{}
	var names []string
	for rows.Next() {
		var name, status, rule, run string
		var count int64
		var started sql.NullString
		if err := rows.Scan(&name, &status, &count, &rule, &run, &started); err != nil {
			return err
		}
		at := parseTime(started)
		h := byName[name]
		if h == nil {
			h = &rapport.CheckHistory{Name: name, Rule: rule}
			byName[name] = h
			names = append(names, name)
		}
		switch {
		case status == "FAIL":
			if h.FirstFailed.IsZero() {
				h.FirstFailed = at
			}
			h.LastFailed, h.LastCount = at, count
			h.FailedRuns++
			h.Fixed, h.FixedBy = time.Time{}, ""
		case !h.LastFailed.IsZero() && h.FixedBy == "":
			h.Fixed, h.FixedBy = at, run
		}
	}
	for _, n := range names {
		f.FailedChecks = append(f.FailedChecks, *byName[n])
	}
	return rows.Err()
}

// loadingTools are the tools whose runs read files (journal_files).
var loadingTools = []string{"migration", "reprise"}

func (db *DB) readRuns(ctx context.Context, dom, since string, f *rapport.Facts) error {
	rows, err := db.QueryContext(ctx, "SELECT run_id, tool, status, started_at, ended_at, COALESCE(message, ''),"+
		" `read`, inserted, rejected, ignored, updated FROM journal WHERE domain = ? AND started_at >= ? ORDER BY started_at, run_id", dom, since)
	if err != nil {
		return err
	}
	for rows.Next() {
		var r rapport.Run
		var started, ended sql.NullString
		if err := rows.Scan(&r.ID, &r.Tool, &r.Status, &started, &ended, &r.Message, &r.Read, &r.Inserted, &r.Rejected, &r.Ignored, &r.Updated); err != nil {
			rows.Close()
			return err
		}
		r.Started, r.Ended = parseTime(started), parseTime(ended)
		f.Runs = append(f.Runs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range f.Runs {
		if !slices.Contains(loadingTools, r.Tool) || (r.Status != StatusFailed && r.Status != StatusRunning) {
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
func (db *DB) finisher(ctx context.Context, dom string, r rapport.Run) (rapport.Interruption, error) {
	in := rapport.Interruption{Run: r}
	if err := db.SelectContext(ctx, &in.Unfinished, "SELECT file FROM journal_files WHERE run_id = ? AND sha256 IS NULL ORDER BY file", r.ID); err != nil {
		return in, err
	}
	started := r.Started.Format(timeLayout)
	var id string
	var at sql.NullString
	if len(in.Unfinished) == 0 {
		err := db.QueryRowContext(ctx, `SELECT run_id, started_at FROM journal WHERE tool = ? AND domain = ? AND started_at > ?
			AND status IN ('ok', 'data_errors') ORDER BY started_at, run_id LIMIT 1`, r.Tool, dom, started).Scan(&id, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return in, nil
		}
		if err != nil {
			return in, err
		}
		in.FinishedBy, in.FinishedAt = id, parseTime(at)
		return in, nil
	}
	for _, file := range in.Unfinished {
		err := db.QueryRowContext(ctx, `SELECT j.run_id, j.started_at FROM journal_files fi JOIN journal j ON j.run_id = fi.run_id
			WHERE j.tool = ? AND j.domain = ? AND fi.file = ? AND fi.sha256 IS NOT NULL AND j.started_at > ?
			ORDER BY j.started_at, j.run_id LIMIT 1`, r.Tool, dom, file, started).Scan(&id, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return rapport.Interruption{Run: r, Unfinished: in.Unfinished}, nil
		}
		if err != nil {
			return in, err
		}
		if t := parseTime(at); t.After(in.FinishedAt) || in.FinishedBy == "" {
			in.FinishedBy, in.FinishedAt = id, t
		}
	}
	return in, nil
}

// TraceQuery is the query the report shows to follow a row of table (key column key)
// to its run and file; its one parameter is the row's key.
func TraceQuery(table, key string) string {
	return "SELECT t." + quoteIdent(key) + ", t.run_id, t.source_file, t.source_line, t.origin_file, t.origin_line,\n" +
		"       j.tool, j.started_at, f.sha256\n" +
		"FROM " + quoteIdent(table) + " t\n" +
		"JOIN journal j ON j.run_id = t.run_id\n" +
		"LEFT JOIN journal_files f ON f.run_id = t.run_id AND f.file = t.source_file\n" +
		"WHERE t." + quoteIdent(key) + " = ?"
}

// readTrace picks a real row to follow: one re-injected from a file the toolkit wrote
// (it has an origin) when there is one, else the first row of the last table of the
// load order that has rows.
func (db *DB) readTrace(ctx context.Context, d *domain.Domain, f *rapport.Facts) error {
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
			err := db.QueryRowContext(ctx, "SELECT CAST("+quoteIdent(e.KeyColumn())+" AS CHAR) FROM "+quoteIdent(e.Name)+where+
				" ORDER BY "+quoteIdent(e.KeyColumn())+" LIMIT 1").Scan(&key)
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
	t := &rapport.Trace{Query: TraceQuery(e.Name, e.KeyColumn()), Table: e.Name, KeyColumn: e.KeyColumn()}
	var started, originFile, sha sql.NullString
	var originLine sql.NullInt64
	if err := db.QueryRowContext(ctx, t.Query, key).Scan(&t.Key, &t.RunID, &t.SourceFile, &t.SourceLine,
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

// readStock reads distributech's stock at f.Today: the count per status and the
// products at or under their threshold, the most urgent first (furthest below it,
// relative to the threshold).
func (db *DB) readStock(ctx context.Context, f *rapport.Facts) error {
	states, err := db.StockStates(ctx, f.Today)
	if err != nil {
		return err
	}
	s := &rapport.Stock{At: f.Today, ByStatus: map[string]int{}, Total: len(states)}
	for _, st := range states {
		status := st.Status()
		s.ByStatus[status]++
		if status == StockRupture || status == StockSousSeuil {
			s.Products = append(s.Products, rapport.Product{Ref: st.Ref, Nom: st.Nom, Actuel: st.Actuel, Seuil: st.Seuil, Status: status})
		}
	}
	sort.SliceStable(s.Products, func(i, j int) bool {
		return rapport.Urgency(s.Products[i].Actuel, s.Products[i].Seuil) < rapport.Urgency(s.Products[j].Actuel, s.Products[j].Seuil)
	})
	f.Stock = s
	return nil
}
