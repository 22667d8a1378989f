package mariadb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"dmt/pkg/domain"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// Offenders runs query (one column, k) and returns how many rows it gives and the
// first limit of them, in key order (shorter first, so numeric keys sort right).
func (db *DB) Offenders(ctx context.Context, query string, limit int) (int, []string, error) {
	var found []struct {
		K *string `db:"k"`
		N int     `db:"n"`
	}
	if err := db.pool.SelectContext(ctx, &found, "SELECT k, COUNT(*) OVER () AS n FROM ("+query+") q ORDER BY CHAR_LENGTH(k), k LIMIT ?", limit); err != nil {
		return 0, nil, FormatError(err)
	}
	if len(found) == 0 {
		return 0, nil, nil
	}
	sample := make([]string, len(found))
	for i, f := range found {
		sample[i] = "NULL"
		if f.K != nil {
			sample[i] = *f.K
		}
	}
	return found[0].N, sample, nil
}

// Counts runs query, which gives one row of integers (validate's counts of a pass), and
// returns them; a NULL is 0.
func (db *DB) Counts(ctx context.Context, query string) ([]int64, error) {
	rows, err := db.pool.QueryContext(ctx, query)
	if err != nil {
		return nil, FormatError(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, FormatError(err)
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, FormatError(err)
		}
		return nil, errors.New("counts: no row")
	}
	vals := make([]sql.NullInt64, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, FormatError(err)
	}
	out := make([]int64, len(vals))
	for i, v := range vals {
		out[i] = v.Int64
	}
	return out, FormatError(rows.Close())
}

// MissingTables returns the names among names that are not tables of the database.
func (db *DB) MissingTables(ctx context.Context, names []string) ([]string, error) {
	var have []string
	if err := db.pool.SelectContext(ctx, &have, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"); err != nil {
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

// RowEstimates returns the server's estimate of the rows of each table of the database
// (information_schema's TABLE_ROWS: InnoDB's sampled statistics, read without a scan).
func (db *DB) RowEstimates(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Name string `db:"name"`
		Rows int    `db:"n"`
	}
	if err := db.pool.SelectContext(ctx, &rows, "SELECT table_name AS name, COALESCE(table_rows, 0) AS n FROM information_schema.tables WHERE table_schema = DATABASE()"); err != nil {
		return nil, FormatError(err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Name] = r.Rows
	}
	return out, nil
}

// Columns returns what the schema guarantees of every column of the database's tables
// (information_schema only: no privilege beyond seeing the tables).
func (db *DB) Columns(ctx context.Context) ([]store.Column, error) {
	var cols []store.Column
	if err := db.pool.SelectContext(ctx, &cols, `SELECT c.table_name AS tbl, c.column_name AS name, c.is_nullable = 'YES' AS nullable,
		IF(c.data_type IN ('char', 'varchar'), c.character_maximum_length, 0) AS max_chars, COALESCE(k.n = 1 AND k.col = c.column_name, FALSE) AS pk,
		COALESCE(u.uniques, '') AS uniques
		FROM information_schema.columns c LEFT JOIN (SELECT table_name, MIN(column_name) AS col, COUNT(*) AS n FROM information_schema.statistics
		  WHERE table_schema = DATABASE() AND index_name = 'PRIMARY' GROUP BY table_name) k ON k.table_name = c.table_name
		LEFT JOIN (SELECT table_name, first, GROUP_CONCAT(cols SEPARATOR ';') AS uniques FROM (SELECT table_name, index_name,
		    MIN(CASE WHEN seq_in_index = 1 THEN column_name END) AS first, GROUP_CONCAT(column_name ORDER BY seq_in_index) AS cols
		  FROM information_schema.statistics WHERE table_schema = DATABASE() AND non_unique = 0 GROUP BY table_name, index_name) i
		  GROUP BY table_name, first) u ON u.table_name = c.table_name AND u.first = c.column_name
		WHERE c.table_schema = DATABASE()`); err != nil {
		return nil, fmt.Errorf("columns: %w", FormatError(err))
	}
	return cols, nil
}

// RowCount returns the number of rows of table.
func (db *DB) RowCount(ctx context.Context, table string) (int, error) {
	var n int
	if err := db.pool.GetContext(ctx, &n, "SELECT COUNT(*) FROM "+rules.QuoteIdent(table)); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, FormatError(err))
	}
	return n, nil
}

// FileRuns returns the journal's accounting of the source file with this SHA-256,
// latest run first.
func (db *DB) FileRuns(ctx context.Context, sha string) ([]store.FileRun, error) {
	var runs []store.FileRun
	if err := db.pool.SelectContext(ctx, &runs, "SELECT f.run_id, j.tool, j.status, f.`read`, f.inserted, f.rejected, f.ignored, f.updated"+
		" FROM journal_files f JOIN journal j ON j.run_id = f.run_id WHERE f.sha256 = ? ORDER BY j.started_at DESC", sha); err != nil {
		return nil, FormatError(err)
	}
	return runs, nil
}

// LatestRuns returns the latest run of each of tools on domain, as the journal records
// it; a tool that never ran has none.
func (db *DB) LatestRuns(ctx context.Context, domain string, tools []string) ([]store.LoadRun, error) {
	var runs []store.LoadRun
	for _, tool := range tools {
		var r store.LoadRun
		err := db.pool.GetContext(ctx, &r, "SELECT run_id, tool, status, DATE_FORMAT(started_at, '%Y-%m-%d %H:%i:%s') AS started,"+
			" COALESCE(message, '') AS message FROM journal WHERE domain = ? AND tool = ? ORDER BY started_at DESC, run_id DESC LIMIT 1", domain, tool)
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
// ScanEntity gives them; a list column holds its items in byte order). One query, read
// as a stream into fn, whatever the size of the table: its rows are never loaded into a
// slice, and a row's list is read with the row, from the list table's index, as the
// server sends it (a join to every list of the table, grouped, would first copy them
// all into a temporary table).
func (db *DB) SourceRows(ctx context.Context, e *domain.Entity, file string, runs []string, fn func(line int, vals []string) error) error {
	if len(runs) == 0 {
		return nil
	}
	var cols []string
	for _, f := range e.Fields {
		if i := slices.IndexFunc(e.Lists, func(l domain.List) bool { return l.Column == f.Name }); i >= 0 {
			cols = append(cols, e.ListItemsOfSQL(e.Lists[i], "c."+rules.QuoteIdent(e.KeyColumn())))
			continue
		}
		cols = append(cols, "c."+rules.QuoteIdent(f.Name))
	}
	from := rules.QuoteIdent(e.Name) + " c"
	q, args, err := sqlx.In("SELECT c.source_line, "+strings.Join(cols, ", ")+" FROM "+from+
		" WHERE c.source_file = ? AND c.run_id IN (?) ORDER BY c.source_line", file, runs)
	if err != nil {
		return fmt.Errorf("read %s: %w", e.Name, err)
	}
	rows, err := db.pool.QueryContext(ctx, q, args...)
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
	key := "c." + rules.QuoteIdent(e.KeyColumn())
	if len(e.Key) > 1 {
		parts := make([]string, len(e.Key))
		for i, c := range e.Key {
			parts[i] = "c." + rules.QuoteIdent(c)
		}
		key = "CONCAT_WS('/', " + strings.Join(parts, ", ") + ")"
	}
	present := map[string]bool{}
	err := inChunks(keys, func(chunk []string) error {
		q, args, err := sqlx.In("SELECT CAST("+key+" AS CHAR) FROM "+rules.QuoteIdent(e.Name)+" c WHERE "+key+" IN (?)", chunk)
		if err != nil {
			return err
		}
		var found []string
		if err := db.pool.SelectContext(ctx, &found, q, args...); err != nil {
			return err
		}
		for _, k := range found {
			present[k] = true
		}
		return nil
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
	err := inChunks(lines, func(chunk []int) error {
		q, args, err := sqlx.In("SELECT DISTINCT line FROM rejections WHERE file = ? AND run_id IN (?) AND line IN (?)", file, runs, chunk)
		if err != nil {
			return err
		}
		var found []int
		if err := db.pool.SelectContext(ctx, &found, q, args...); err != nil {
			return err
		}
		for _, l := range found {
			out[l] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read rejections: %w", FormatError(err))
	}
	return out, nil
}

// inChunks calls fn with vals 1000 at a time: an IN (?) list of each chunk stays well
// under the server's limits on placeholders and statement size.
func inChunks[T any](vals []T, fn func(chunk []T) error) error {
	const per = 1000
	for start := 0; start < len(vals); start += per {
		if err := fn(vals[start:min(start+per, len(vals))]); err != nil {
			return err
		}
	}
	return nil
}

// SaveResults records the results of validate run runID in validate_results, one row per
// check, in one statement: the final report reads each night's verdicts from there. The
// run must be in the journal. An account that may not insert there gets an error for
// which IsDenied is true: validate then says so and goes on, its report file being whole.
func (db *DB) SaveResults(ctx context.Context, runID string, results []store.CheckResult) error {
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
		args = append(args, runID, r.Name, r.Kind, r.Status, r.Count, string(js), r.Rule, nullable(r.Error))
	}
	q := "INSERT INTO validate_results (run_id, check_name, kind, status, `count`, sample, rule, error) VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", len(results)), ", ")
	if _, err := db.pool.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store results in validate_results: %w", FormatError(err))
	}
	return nil
}
