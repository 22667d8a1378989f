package mariadb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"

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
	rows, err := db.QueryContext(ctx, "SELECT f.run_id, j.tool, j.status, f.`read`, f.inserted, f.rejected, f.ignored"+
		" FROM journal_files f JOIN journal j ON j.run_id = f.run_id WHERE f.sha256 = ? ORDER BY j.started_at DESC", sha)
	if err != nil {
		return nil, FormatError(err)
	}
	defer rows.Close()
	var runs []validate.FileRun
	for rows.Next() {
		var r validate.FileRun
		if err := rows.Scan(&r.RunID, &r.Tool, &r.Status, &r.Read, &r.Inserted, &r.Rejected, &r.Ignored); err != nil {
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

// IsDenied reports whether err is the server refusing a statement to an account that
// lacks the privilege for it.
func IsDenied(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && privilegeErrors[me.Number]
}
