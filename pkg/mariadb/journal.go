package mariadb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"dmt/pkg/store"
)

// StartRun records r (its ID, Tool, Domain, Host and Args) as running, started now.
// Its host and command line are stored with store.SafeText: a file name in another
// encoding than UTF-8 must not stop the run.
func (db *DB) StartRun(ctx context.Context, r store.Run) error {
	r.Host, r.Args = store.SafeText(r.Host), store.SafeText(r.Args)
	_, err := db.pool.ExecContext(ctx, `INSERT INTO journal (run_id, tool, domain, started_at, status, host, args)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.Tool, r.Domain, time.Now().UTC(), store.StatusRunning, r.Host, r.Args)
	if err != nil {
		return fmt.Errorf("journal start: %w", FormatError(err))
	}
	return nil
}

// AddFile records that run reads file as entity; batches then add their progress to it.
func (db *DB) AddFile(ctx context.Context, runID, file, entity string) error {
	_, err := db.pool.ExecContext(ctx, `INSERT INTO journal_files (run_id, file, entity, `+"`read`"+`, inserted, rejected, ignored)
		VALUES (?, ?, ?, 0, 0, 0, 0)`, runID, file, entity)
	if err != nil {
		return fmt.Errorf("journal file %s: %w", file, FormatError(err))
	}
	return nil
}

// FinishFile records the SHA-256 and size of a file read to its end.
func (db *DB) FinishFile(ctx context.Context, runID, file, sha256 string, size int64) error {
	_, err := db.pool.ExecContext(ctx, `UPDATE journal_files SET sha256 = ?, size = ? WHERE run_id = ? AND file = ?`,
		sha256, size, runID, file)
	if err != nil {
		return fmt.Errorf("journal file %s: %w", file, FormatError(err))
	}
	return nil
}

// FinishRun records the end of a run with its status, totals and a message. It uses a
// fresh context so that a cancelled run is still recorded as failed.
func (db *DB) FinishRun(runID, status string, total store.Counts, message string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := db.pool.ExecContext(ctx, `UPDATE journal SET ended_at = ?, status = ?, `+"`read`"+` = ?, inserted = ?,
		rejected = ?, ignored = ?, updated = ?, message = ? WHERE run_id = ?`,
		time.Now().UTC(), status, total.Read, total.Inserted, total.Rejected, total.Ignored, total.Updated, message, runID)
	if err != nil {
		return fmt.Errorf("journal end: %w", FormatError(err))
	}
	return nil
}

// MarkInterrupted marks as failed the runs of tool on domain still recorded as running:
// called while holding the tool's lock, it knows they are dead (killed, or their server
// restarted). It returns their ids.
func (db *DB) MarkInterrupted(ctx context.Context, tool, domain, byRun string) ([]string, error) {
	var ids []string
	if err := db.pool.SelectContext(ctx, &ids, `SELECT run_id FROM journal WHERE tool = ? AND domain = ? AND status = ?`,
		tool, domain, store.StatusRunning); err != nil {
		return nil, fmt.Errorf("journal: %w", FormatError(err))
	}
	for _, id := range ids {
		if _, err := db.pool.ExecContext(ctx, `UPDATE journal SET status = ?, message = ? WHERE run_id = ? AND status = ?`,
			store.StatusFailed, "interrupted: found still running by run "+byRun, id, store.StatusRunning); err != nil {
			return nil, fmt.Errorf("journal: %w", FormatError(err))
		}
	}
	return ids, nil
}

// LastComplete returns the latest run of tool on domain, other than exceptRun, that read
// a file with this SHA-256 to its end (FinishFile recorded its SHA-256 after its last
// batch committed); ok is false when there is none. A run interrupted inside the file
// never recorded it, so it does not count. Every file a run reads asks it, so it reads
// only the journal_files rows of that SHA-256 (its index, joined to journal from there:
// STRAIGHT_JOIN, for statistics taken early in a long run would start from the tool's
// runs and read every file they hold, each file then costing more than the one before).
func (db *DB) LastComplete(ctx context.Context, tool, domain, sha, exceptRun string) (f store.CompleteFile, ok bool, err error) {
	err = db.pool.GetContext(ctx, &f, `SELECT STRAIGHT_JOIN f.run_id, f.file, f.rejected FROM journal_files f JOIN journal j ON j.run_id = f.run_id
		WHERE f.sha256 = ? AND j.tool = ? AND j.domain = ? AND f.run_id <> ?
		ORDER BY j.started_at DESC, f.run_id DESC LIMIT 1`, sha, tool, domain, exceptRun)
	if errors.Is(err, sql.ErrNoRows) {
		return store.CompleteFile{}, false, nil
	}
	if err != nil {
		return store.CompleteFile{}, false, fmt.Errorf("journal: %w", FormatError(err))
	}
	return f, true, nil
}

// RejectedLines returns the codes recorded for each line of file that run rejected, in
// one query: what a rerun of the same file compares its rejections with. The rows are
// read as a stream into the map (a file may have had a million rows rejected), not
// loaded into a slice first.
func (db *DB) RejectedLines(ctx context.Context, runID, file string) (map[int]string, error) {
	rows, err := db.pool.QueryContext(ctx, `SELECT line, codes FROM rejections WHERE run_id = ? AND file = ?`, runID, file)
	if err != nil {
		return nil, fmt.Errorf("rejections of run %s: %w", runID, FormatError(err))
	}
	defer rows.Close()
	lines := map[int]string{}
	for rows.Next() {
		var line int
		var codes string
		if err := rows.Scan(&line, &codes); err != nil {
			return nil, err
		}
		lines[line] = codes
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rejections of run %s: %w", runID, FormatError(err))
	}
	return lines, nil
}
