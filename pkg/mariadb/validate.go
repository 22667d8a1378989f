package mariadb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/validate"
)

var _ validate.Store = (*DB)(nil)

// Offenders runs query (one column, k) and returns how many rows it gives and the
// first limit of them, in key order (shorter first, so numeric keys sort right).
func (db *DB) Offenders(ctx context.Context, query string, limit int) (int, []string, error) {
	rows, err := db.QueryContext(ctx, "SELECT k, COUNT(*) OVER () FROM ("+query+") q ORDER BY CHAR_LENGTH(k), k LIMIT ?", limit)
	if err != nil {
		return 0, nil, FormatError(err)
	}
	defer rows.Close()
	var n int
	var sample []string
	for rows.Next() {
		var k *string
		if err := rows.Scan(&k, &n); err != nil {
			return 0, nil, err
		}
		if k == nil {
			sample = append(sample, "NULL")
		} else {
			sample = append(sample, *k)
		}
	}
	return n, sample, FormatError(rows.Err())
}

// MissingTables returns the names among names that are not tables of the database.
func (db *DB) MissingTables(ctx context.Context, names []string) ([]string, error) {
	var have []string
	if err := db.SelectContext(ctx, &have, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"); err != nil {
		return nil, FormatError(err)
	}
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	var missing []string
	for _, n := range names {
		if !set[n] {
			missing = append(missing, n)
		}
	}
	return missing, nil
}

// RowCount returns the number of rows of table.
func (db *DB) RowCount(ctx context.Context, table string) (int, error) {
	var n int
	if err := db.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+quoteIdent(table)); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, FormatError(err))
	}
	return n, nil
}

// FileRuns returns the journal's accounting of the source file with this SHA-256,
// latest run first.
func (db *DB) FileRuns(ctx context.Context, sha string) ([]validate.FileRun, error) {
	rows, err := db.QueryContext(ctx, "SELECT f.run_id, j.tool, j.status, f.`read`, f.inserted, f.rejected, f.ignored, f.updated"+
		" FROM journal_files f JOIN journal j ON j.run_id = f.run_id WHERE f.sha256 = ? ORDER BY j.started_at DESC", sha)
	if err != nil {
		return nil, FormatError(err)
	}
	defer rows.Close()
	var runs []validate.FileRun
	for rows.Next() {
		var r validate.FileRun
		if err := rows.Scan(&r.RunID, &r.Tool, &r.Status, &r.Read, &r.Inserted, &r.Rejected, &r.Ignored, &r.Updated); err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, FormatError(rows.Err())
}

// LatestRuns returns the latest run of each of tools on domain, as the journal records
// it; a tool that never ran has none.
func (db *DB) LatestRuns(ctx context.Context, domain string, tools []string) ([]validate.LoadRun, error) {
	var runs []validate.LoadRun
	for _, tool := range tools {
		var r validate.LoadRun
		err := db.QueryRowContext(ctx, "SELECT run_id, tool, status, DATE_FORMAT(started_at, '%Y-%m-%d %H:%i:%s'), COALESCE(message, '')"+
			" FROM journal WHERE domain = ? AND tool = ? ORDER BY started_at DESC, run_id DESC LIMIT 1", domain, tool).
			Scan(&r.RunID, &r.Tool, &r.Status, &r.Started, &r.Message)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return nil, fmt.Errorf("journal: %w", FormatError(err))
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// SourceRows calls fn, in source_line order, with each row of e's table that one of
// runs loaded from file: its line and its canonical values aligned with e.Fields (as
// ScanEntity gives them; a list column holds its items in byte order). One streaming
// query, whatever the size of the table.
func (db *DB) SourceRows(ctx context.Context, e *domain.Entity, file string, runs []string, fn func(line int, vals []string) error) error {
	if len(runs) == 0 {
		return nil
	}
	from := quoteIdent(e.Name) + " c"
	var cols []string
	for i, l := range e.Lists {
		alias := fmt.Sprintf("l%d", i)
		from += " LEFT JOIN " + e.ListItemsSQL(l) + " " + alias + " ON " + alias + "." + quoteIdent(e.KeyColumn()) + " = c." + quoteIdent(e.KeyColumn())
	}
	for _, f := range e.Fields {
		if i := slices.IndexFunc(e.Lists, func(l domain.List) bool { return l.Column == f.Name }); i >= 0 {
			cols = append(cols, fmt.Sprintf("l%d.items", i))
			continue
		}
		cols = append(cols, "c."+quoteIdent(f.Name))
	}
	args := []any{file}
	for _, r := range runs {
		args = append(args, r)
	}
	q := "SELECT c.source_line, " + strings.Join(cols, ", ") + " FROM " + from + " WHERE c.source_file = ? AND c.run_id IN (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(runs)), ", ") + ") ORDER BY c.source_line"
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", e.Name, FormatError(err))
	}
	defer rows.Close()
	var line int
	raw := make([]sql.NullString, len(cols))
	ptrs := []any{&line}
	for i := range raw {
		ptrs = append(ptrs, &raw[i])
	}
	vals := make([]string, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", e.Name, err)
		}
		for i := range raw {
			vals[i] = raw[i].String
		}
		if err := fn(line, vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", e.Name, FormatError(err))
	}
	return nil
}

// AbsentKeys returns those of keys (as e.KeyOf gives them) that no row of e's table holds.
func (db *DB) AbsentKeys(ctx context.Context, e *domain.Entity, keys []string) ([]string, error) {
	key := "c." + quoteIdent(e.KeyColumn())
	if len(e.Key) > 1 {
		parts := make([]string, len(e.Key))
		for i, c := range e.Key {
			parts[i] = "c." + quoteIdent(c)
		}
		key = "CONCAT_WS('/', " + strings.Join(parts, ", ") + ")"
	}
	present := map[string]bool{}
	err := inChunks(keys, func(chunk []any) error {
		rows, err := db.QueryContext(ctx, "SELECT CAST("+key+" AS CHAR) FROM "+quoteIdent(e.Name)+" c WHERE "+key+" IN ("+marks(len(chunk))+")", chunk...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			present[k] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", e.Name, FormatError(err))
	}
	var absent []string
	for _, k := range keys {
		if !present[k] {
			absent = append(absent, k)
		}
	}
	return absent, nil
}

// RejectedAmong returns those of lines of file that the rejections of runs record.
func (db *DB) RejectedAmong(ctx context.Context, file string, runs []string, lines []int) (map[int]bool, error) {
	out := map[int]bool{}
	if len(runs) == 0 {
		return out, nil
	}
	runArgs := make([]any, len(runs))
	for i, r := range runs {
		runArgs[i] = r
	}
	err := inChunks(lines, func(chunk []any) error {
		args := append(append([]any{file}, runArgs...), chunk...)
		rows, err := db.QueryContext(ctx, "SELECT DISTINCT line FROM rejections WHERE file = ? AND run_id IN ("+marks(len(runs))+
			") AND line IN ("+marks(len(chunk))+")", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l int
			if err := rows.Scan(&l); err != nil {
				return err
			}
			out[l] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read rejections: %w", FormatError(err))
	}
	return out, nil
}

// inChunks calls fn with the values of vals as bound parameters, 1000 at a time.
func inChunks[T any](vals []T, fn func(chunk []any) error) error {
	const per = 1000
	for start := 0; start < len(vals); start += per {
		chunk := make([]any, 0, per)
		for _, v := range vals[start:min(start+per, len(vals))] {
			chunk = append(chunk, v)
		}
		if err := fn(chunk); err != nil {
			return err
		}
	}
	return nil
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// SaveResults records the results of validate run runID in validate_results, one row per
// check, in one statement: the final report reads each night's verdicts from there. The
// run must be in the journal. An account that may not insert there gets an error for
// which IsDenied is true: validate then says so and goes on, its report file being whole.
func (db *DB) SaveResults(ctx context.Context, runID string, results []validate.Result) error {
	if len(results) == 0 {
		return nil
	}
	args := make([]any, 0, 8*len(results))
	for _, r := range results {
		sample := r.Sample
		if sample == nil {
			sample = []string{}
		}
		js, err := json.Marshal(sample)
		if err != nil {
			return err
		}
		args = append(args, runID, r.Name, r.Kind, r.Status, r.Count, string(js), r.Description, nullable(r.Error))
	}
	q := "INSERT INTO validate_results (run_id, check_name, kind, status, `count`, sample, rule, error) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", len(results)), ", ")
	if _, err := db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store results in validate_results: %w", FormatError(err))
	}
	return nil
}
