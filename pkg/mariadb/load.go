package mariadb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"dmt/pkg/domain"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// batch is a store.Batch as LoadBatch writes it: with the server's packet limit read
// at its start and, for a piece of a batch that was split, the number of its
// journal_batches row.
type batch struct {
	*store.Batch
	// packet is the server's max_allowed_packet while LoadBatch writes the batch.
	packet int
	// marker is the number of the batch's journal_batches row when it is not Seq: a
	// piece of a batch that was split (see splitMarker).
	marker int
}

// markerNo is the number of b's journal_batches row.
func (b *batch) markerNo() int {
	if b.marker > 0 {
		return b.marker
	}
	return b.Seq
}

var readerSeq atomic.Int64

// lineageColumns are appended to every business row.
var lineageColumns = []string{"run_id", "source_file", "source_line", "origin_file", "origin_line"}

// lineageArgs are the lineage values of r, as bound parameters.
func lineageArgs(b *batch, r store.Row) []any {
	var line any
	if r.OriginLine > 0 {
		line = r.OriginLine
	}
	return []any{b.RunID, b.File, r.Line, nullable(r.OriginFile), line}
}

// defaultReconnectWithin is how long LoadBatch tries to get a lost connection back when
// DB.ReconnectWithin is zero: long enough for a server restart or a Galera failover.
const defaultReconnectWithin = 30 * time.Second

// defaultBatchWithin is how long one attempt at a batch may wait for the server when
// DB.BatchWithin is zero: far above the ~6 s a Galera cluster stalls while it evicts a
// dead node, and short enough that a server that never answers ends the run with its
// one line instead of hanging it.
const defaultBatchWithin = 5 * time.Minute

// stalled is a batch attempt that the server left unanswered for BatchWithin: its
// connection was closed, and its COMMIT, if sent, may or may not apply; Recover treats
// it as a lost connection (look the marker up, then redo).
type stalled struct {
	within time.Duration
	err    error
}

func (s *stalled) Error() string {
	return fmt.Sprintf("no answer from MariaDB within %s (%v)", s.within, s.err)
}

// errBatchCommitted is returned by writeBatch when the batch's journal_batches row is
// already there: an earlier attempt, whose COMMIT the client never saw answered,
// committed it.
var errBatchCommitted = errors.New("batch already committed")

// LoadBatch writes b in one transaction with LOAD DATA LOCAL INFILE from memory. Any
// warning from the server (LOAD DATA LOCAL skips bad rows with a warning instead of
// failing) rolls the rows back to a savepoint and the rows are split in halves until
// the refused ones are found; they are returned, recorded as rejections, and left out,
// while the others are committed. A deadlock or certification failure retries the whole
// batch. The refusals count as rejected in the journal progress.
//
// The transaction also writes the batch's journal_batches row (b.RunID, b.File, b.Seq).
// When the connection breaks (see Recover), the COMMIT in flight may or may not have
// been applied, and running the batch again blindly would load its rows twice (refused
// as duplicates) and count them twice. So LoadBatch gets a fresh connection, retrying
// with backoff for up to db.ReconnectWithin, and looks the row up: present, the batch is
// committed and its refusals are read back; absent, the whole batch is written again.
// When the server does not come back, the error says so and that running the same
// command again finishes the job.
//
// A Galera cluster refuses a transaction over its write-set limits whole (1180
// wsrep_max_ws_rows exceeded, 1105 Maximum writeset size exceeded): BatchFull keeps
// batches under the limits read at the start, but a limit lowered since, or rows
// larger than estimated, can still get there. The batch is then split in halves, each
// its own transaction with its own marker (see splitBatch), and the halves split again
// while refused; the limits are read again for the next batches.
func (db *DB) LoadBatch(ctx context.Context, sb *store.Batch) ([]store.Refusal, error) {
	if sb.Seq <= 0 {
		return nil, fmt.Errorf("%s: batch %d: batches are numbered from 1", sb.File, sb.Seq)
	}
	b := &batch{Batch: sb, packet: db.packetLimit(ctx)}
	b.Recovered = ""
	refused, err := db.loadWhole(ctx, b)
	if err == nil || Recover(err) != Split {
		return refused, err
	}
	return db.loadSplit(ctx, b, err)
}

// loadWhole writes b in one transaction, as LoadBatch says, and returns an error that
// Recover calls Split unchanged.
func (db *DB) loadWhole(ctx context.Context, b *batch) ([]store.Refusal, error) {
	// The time to get the connection back counts from its loss, not from the batch's
	// start: a killed LOAD DATA may hang in the kernel for a minute before it fails, on a
	// server that answers at once.
	var until time.Time
	for attempt := 0; ; attempt++ {
		var refused []store.Refusal
		err := db.retry(ctx, func() error {
			var err error
			refused, err = db.writeWithin(ctx, b)
			return err
		})
		if err == nil {
			return refused, nil
		}
		if Recover(err) == Split {
			return nil, err
		}
		if !errors.Is(err, errBatchCommitted) && Recover(err) != LookUp {
			return nil, FormatError(err)
		}
		// The node may have died or left the primary component: the look-up and the
		// next attempt go through a ready node.
		db.recheckNode()
		if until.IsZero() {
			until = time.Now().Add(db.reconnectWithin())
		}
		committed, refused, lerr := db.lookUpBatch(ctx, b, until)
		switch {
		case lerr != nil && Recover(lerr) == Stop:
			return nil, FormatError(lerr)
		case lerr != nil:
			return nil, db.lostError(b, lerr)
		case committed:
			b.Recovered = lostWhat(err) + " at commit; the batch was found committed"
			return refused, nil
		case time.Now().After(until):
			return nil, db.cutError(b, err)
		}
		b.Recovered = lostWhat(err) + "; the batch was not committed and was written again"
		if err := pause(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// writeWithin is writeBatch bounded by BatchWithin: a server that never answers (a
// Galera cluster whose view change stalled holds every COMMIT for good) gives a
// stalled error instead of a run that hangs.
func (db *DB) writeWithin(ctx context.Context, b *batch) ([]store.Refusal, error) {
	within := db.BatchWithin
	if within <= 0 {
		within = defaultBatchWithin
	}
	bctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	refused, err := db.writeBatch(bctx, b)
	if err != nil && ctx.Err() == nil && bctx.Err() != nil {
		return nil, &stalled{within, err}
	}
	return refused, err
}

func (db *DB) reconnectWithin() time.Duration {
	if db.ReconnectWithin > 0 {
		return db.ReconnectWithin
	}
	return defaultReconnectWithin
}

// lostError is the one line for a batch whose connection could not be regained: which
// batch may or may not be committed, why, and that a rerun finishes the job (the batches
// committed are kept, and a rerun recognises their rows as loaded).
func (db *DB) lostError(b *batch, err error) error {
	return &formatted{fmt.Sprintf("%s: batch %d (lines %d-%d) left unconfirmed: connection to MariaDB lost and not regained within %s (%v); "+
		"the batches committed are kept: run the same command again to finish the job",
		b.File, b.Seq, b.Progress.First, b.Progress.Line, db.reconnectWithin(), FormatError(err)), err}
}

// lostWhat names what happened to a batch that LoadBatch had to look up: its
// connection was lost, or its Galera node was out of the primary component (a view
// change after a node died, or quorum lost).
func lostWhat(err error) string {
	var me *mysql.MySQLError
	var nr *NoReadyNode
	var st *stalled
	switch {
	case errors.As(err, &me) && (me.Number == 1047 || me.Number == 1180):
		return "node out of the primary component (Error " + fmt.Sprint(me.Number) + ")"
	case errors.As(err, &nr):
		return "no node ready"
	case errors.As(err, &st):
		return fmt.Sprintf("no answer from MariaDB within %s", st.within)
	}
	return "connection lost"
}

// overError is the one line for a batch over the Galera write-set limits that could
// not be split enough: a single row over them, or more pieces than a batch may have.
func (db *DB) overError(b *batch, err error) error {
	return &formatted{fmt.Sprintf("%s: batch %d (lines %d-%d) not written: over the cluster's write-set limits even split in pieces (wsrep_max_ws_rows %d, wsrep_max_ws_size %d: %v); "+
		"the batches committed are kept: raise the limits, or run the same command again with a smaller -batch",
		b.File, b.Seq, b.Progress.First, b.Progress.Line, db.wsRows.Load(), db.wsBytes.Load(), lostCause(err)), err}
}

// maxPieces bounds the pieces of one split batch (see splitMarker).
const maxPieces = 1000

// splitMarker is the journal_batches number of piece k (1 to maxPieces-1) of batch
// seq, split because the cluster refused it whole (piece 0 keeps seq): far above any
// batch number a run reaches, and readable (piece 3 of batch 7 is 1000007003).
func splitMarker(seq, k int) int { return 1_000_000_000 + seq*maxPieces + k }

// loadSplit writes b, which the cluster refused whole (cause), as pieces: it halves
// it, writes each half as a batch of its own (LoadBatch's look-ups and retries
// included), and halves again a half still refused. The pieces' refusals, replaced
// values and recoveries are b's.
func (db *DB) loadSplit(ctx context.Context, b *batch, cause error) ([]store.Refusal, error) {
	if err := db.readLimits(ctx); err != nil && Recover(err) == Stop {
		return nil, FormatError(err)
	}
	pieces := 1 // markers used: b's own
	var refused []store.Refusal
	var recovered []string
	b.Old = nil
	var split func(p *batch, cause error) error
	split = func(p *batch, cause error) error {
		first, second, ok := splitBatch(p)
		if !ok || pieces >= maxPieces || b.Seq > (math.MaxInt32-1_000_000_000)/maxPieces {
			return db.overError(b, cause)
		}
		second.marker = splitMarker(b.Seq, pieces)
		pieces++
		for _, q := range []*batch{first, second} {
			r, err := db.loadWhole(ctx, q)
			if err != nil && Recover(err) == Split {
				if err := split(q, err); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			refused = append(refused, r...)
			for line, v := range q.Old {
				if b.Old == nil {
					b.Old = map[int][]string{}
				}
				b.Old[line] = v
			}
			if q.Recovered != "" {
				recovered = append(recovered, q.Recovered)
			}
		}
		return nil
	}
	if err := split(b, cause); err != nil {
		return nil, err
	}
	b.Recovered = strings.Join(append([]string{fmt.Sprintf("over the cluster's write-set limits (%s): written in %d pieces", lostCause(cause), pieces)}, recovered...), "; ")
	return refused, nil
}

// splitBatch cuts b in two batches that together write what b writes: the first
// takes half of what it writes (its rows first, then its updates, then its
// rejections) and half of its corrections, the second the rest and the rows ignored; each accounts for its own in its journal progress.
// It is false when b holds a single row or none: it cannot be cut.
func splitBatch(b *batch) (first, second *batch, ok bool) {
	n := len(b.Rows) + len(b.Updates) + len(b.Rejections)
	if n < 2 {
		return nil, nil, false
	}
	piece := func() *batch {
		return &batch{Batch: &store.Batch{RunID: b.RunID, Tool: b.Tool, File: b.File, Seq: b.Seq, Entity: b.Entity, Date: b.Date}, packet: b.packet}
	}
	first, second = piece(), piece()
	first.marker = b.marker
	k := n / 2 // rows, then updates, then rejections, as many as the first takes
	first.Rows, second.Rows, k = cut(b.Rows, k)
	first.Updates, second.Updates, k = cut(b.Updates, k)
	first.Rejections, second.Rejections, _ = cut(b.Rejections, k)
	first.Corrections, second.Corrections, _ = cut(b.Corrections, len(b.Corrections)/2)
	p := store.Progress{Inserted: len(first.Rows), Updated: len(first.Updates), Rejected: len(first.Rejections)}
	p.Read = p.Inserted + p.Updated + p.Rejected
	lines := make([]int, 0, p.Read)
	for _, r := range first.Rows {
		lines = append(lines, r.Line)
	}
	for _, r := range first.Updates {
		lines = append(lines, r.Line)
	}
	for _, r := range first.Rejections {
		lines = append(lines, r.Line)
	}
	if len(lines) > 0 {
		p.First, p.Line = slices.Min(lines), slices.Max(lines)
	}
	first.Progress = p
	rest := b.Progress
	rest.Read -= p.Read
	rest.Inserted -= p.Inserted
	rest.Updated -= p.Updated
	rest.Rejected -= p.Rejected
	second.Progress = rest
	return first, second, true
}

// cut gives the first k items of s (all of s when it holds fewer), the others, and
// how many of k are left to take. Both parts share s's storage, read-only.
func cut[T any](s []T, k int) (head, tail []T, left int) {
	h := min(k, len(s))
	return s[:h:h], s[h:], k - h
}

// cutError is the one line for a batch whose connection broke at every attempt while
// the server kept answering: it was killed or cut each time.
func (db *DB) cutError(b *batch, err error) error {
	return &formatted{fmt.Sprintf("%s: batch %d (lines %d-%d) not written: its connection to MariaDB was killed or cut at every attempt for %s (%v), "+
		"while the server answers; the batches committed are kept: run the same command again to finish the job",
		b.File, b.Seq, b.Progress.First, b.Progress.Line, db.reconnectWithin(), lostCause(err)), err}
}

// pause waits before attempt+1 of a reconnection: 100 ms, doubling, at most 2 s.
func pause(ctx context.Context, attempt int) error {
	d := 2 * time.Second
	if attempt < 5 {
		d = time.Duration(100<<attempt) * time.Millisecond
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// writeBatch runs one attempt at b's transaction and returns the rows the database
// refused. The journal_batches row goes first: should an earlier attempt have committed
// unseen, the insert fails at once on its primary key (errBatchCommitted), and while
// that attempt is still being committed on the server, the insert waits for its outcome.
func (db *DB) writeBatch(ctx context.Context, b *batch) ([]store.Refusal, error) {
	conn, err := db.pool.Connx(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := insertMarker(ctx, tx, b, b.Progress); err != nil {
		return nil, err
	}
	if err := updateRows(ctx, tx, b); err != nil {
		return nil, err
	}
	refused, err := loadRows(ctx, tx, b, b.Rows, 0)
	if err != nil {
		return nil, err
	}
	rej := b.Rejections
	prog := b.Progress
	for _, r := range refused {
		prog.Inserted--
		if r.Loaded {
			prog.Ignored++
			continue
		}
		prog.Rejected++
		rej = append(rej, store.Rejection{Line: r.Row.Line, Codes: string(rules.DBRefused), Detail: r.Message, Raw: strings.Join(r.Row.Values, ",")})
	}
	if err := insertRejections(ctx, tx, b, rej, b.packet); err != nil {
		return nil, err
	}
	if err := insertCorrections(ctx, tx, b); err != nil {
		return nil, err
	}
	if len(refused) > 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE journal_batches SET inserted = ?, rejected = ?, ignored = ? WHERE run_id = ? AND file = ? AND batch = ?",
			prog.Inserted, prog.Rejected, prog.Ignored, b.RunID, b.File, b.markerNo()); err != nil {
			return nil, fmt.Errorf("journal batch: %w", err)
		}
	}
	if err := addProgress(ctx, tx, b.RunID, b.File, prog); err != nil {
		return nil, err
	}
	// COMMIT goes as a statement under ctx, which can interrupt it: database/sql's
	// Tx.Commit cannot be, and a stalled cluster never answers it (see writeWithin).
	// The deferred Rollback then only closes tx for database/sql.
	if _, err := tx.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, err
	}
	return refused, nil
}

// insertMarker writes b's journal_batches row with the counts p.
func insertMarker(ctx context.Context, tx sqlx.ExtContext, b *batch, p store.Progress) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO journal_batches (run_id, file, batch, first_line, last_line, `read`, inserted, rejected, ignored, updated) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", b.RunID, b.File, b.markerNo(), p.First, p.Line, p.Read, p.Inserted, p.Rejected, p.Ignored, p.Updated)
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1062 {
		return errBatchCommitted
	}
	if err != nil {
		return fmt.Errorf("journal batch: %w", err)
	}
	return nil
}

// lookUpBatch tells whether b's journal_batches row is committed and, when it is, reads
// back the rows the database refused in it. It retries a lost connection with backoff
// until the time until.
func (db *DB) lookUpBatch(ctx context.Context, b *batch, until time.Time) (bool, []store.Refusal, error) {
	for attempt := 0; ; attempt++ {
		committed, refused, err := db.readMarker(ctx, b)
		if err == nil || Recover(err) == Stop || time.Now().After(until) {
			return committed, refused, err
		}
		db.recheckNode()
		if err := pause(ctx, attempt); err != nil {
			return false, nil, err
		}
	}
}

// readMarker reads b's journal_batches row with a locking read: when the broken
// connection's transaction is still being committed or rolled back on the server, the
// read waits for its outcome instead of reading past it. When the row is there, it
// reads back what the committed transaction refused (see committedRefusals).
func (db *DB) readMarker(ctx context.Context, b *batch) (bool, []store.Refusal, error) {
	var marker store.Progress
	err := db.pool.QueryRowContext(ctx, "SELECT inserted, rejected, ignored FROM journal_batches WHERE run_id = ? AND file = ? AND batch = ? LOCK IN SHARE MODE",
		b.RunID, b.File, b.markerNo()).Scan(&marker.Inserted, &marker.Rejected, &marker.Ignored)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	refused, err := committedRefusals(ctx, db.pool, b, marker)
	return err == nil, refused, err
}

// retry runs fn again when it fails with a deadlock, a lock wait timeout or a Galera
// certification failure (Recover gives Redo), up to 5 times with a growing pause.
func (db *DB) retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = fn(); err == nil || Recover(err) != Redo {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(50*(attempt+1)) * time.Millisecond):
		}
	}
	return err
}

// loadRows loads rows inside tx under a savepoint; on any warning it rolls back to the
// savepoint and bisects. depth names the savepoints.
func loadRows(ctx context.Context, tx sqlx.ExtContext, b *batch, rows []store.Row, depth int) ([]store.Refusal, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	sp := fmt.Sprintf("sp%d", depth)
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
		return nil, err
	}
	msg, err := loadOnce(ctx, tx, b, rows)
	if err != nil {
		return nil, err
	}
	if msg == "" {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+sp); err != nil {
		return nil, err
	}
	if depth == 0 {
		// Rows stored since the checker looked them up (by another run) are found by
		// their keys, not by halving the batch row by row: those stored identical are
		// already loaded, and the others are loaded again without them.
		rest, twins, err := withoutTwins(ctx, tx, b, rows)
		if err != nil {
			return nil, err
		}
		if len(twins) > 0 {
			refused, err := loadRows(ctx, tx, b, rest, depth+1)
			return append(twins, refused...), err
		}
	}
	if len(rows) == 1 {
		return []store.Refusal{{Row: rows[0], Message: msg}}, nil
	}
	half := len(rows) / 2
	left, err := loadRows(ctx, tx, b, rows[:half], depth+1)
	if err != nil {
		return nil, err
	}
	right, err := loadRows(ctx, tx, b, rows[half:], depth+1)
	if err != nil {
		return nil, err
	}
	return append(left, right...), nil
}

// loadOnce sends rows (and their list items) with LOAD DATA LOCAL INFILE and returns the
// first warning's message, or "" when the server took every row without a warning.
// Each row goes with its fingerprint (row_sha, see domain.Fingerprint), which covers its
// list items too: those rows (projet_sites) carry none of their own.
func loadOnce(ctx context.Context, tx sqlx.ExtContext, b *batch, rows []store.Row) (string, error) {
	e := b.Entity
	var cols []string
	for _, f := range e.Fields {
		if e.List(f.Name) == nil {
			cols = append(cols, f.Name)
		}
	}
	cols = append(append(cols, domain.FingerprintColumn), lineageColumns...)
	if err := writeHeaders(ctx, tx, b, rows); err != nil {
		var me *mysql.MySQLError
		if errors.As(err, &me) && dataErrors[me.Number] {
			return fmt.Sprintf("Error %d: %s", me.Number, me.Message), nil
		}
		return "", err
	}
	// The rows go in statements of at most a quarter of the packet limit each, so that
	// no statement of the batch comes near max_allowed_packet, whatever the batch size.
	if msg, err := encodeRows(b, rows, statementBytes(b.packet), func(data []byte, n int) (string, error) {
		return loadData(ctx, tx, e.Name, cols, bytes.NewReader(data), n)
	}); err != nil || msg != "" {
		return msg, err
	}
	if msg, err := loadLists(ctx, tx, b, rows); err != nil || msg != "" {
		return msg, err
	}
	if e.AfterLoad != "" {
		if _, err := tx.ExecContext(ctx, e.AfterLoad, b.RunID, b.File, rows[0].Line, rows[len(rows)-1].Line); err != nil {
			return "", fmt.Errorf("after loading %s: %w", e.Name, err)
		}
	}
	return "", nil
}

// encodeRows writes rows in LOAD DATA's text format (the entity's columns but its
// lists, the fingerprint, the lineage) and hands them to send in pieces of at most
// limit bytes (a row longer than limit goes alone), with the number of rows in each.
// It stops at the first piece send says something of (a warning's message) or fails.
// The bytes handed to send are reused once it returns.
func encodeRows(b *batch, rows []store.Row, limit int, send func(data []byte, n int) (string, error)) (string, error) {
	e := b.Entity
	cols := make([]int, 0, len(e.Fields))
	for i, f := range e.Fields {
		if e.List(f.Name) == nil {
			cols = append(cols, i)
		}
	}
	p := newPieces(limit, send)
	defer p.release()
	lineage := batchLineage(b)
	var fp domain.Fingerprinter
	for _, r := range rows {
		p.begin()
		for k, i := range cols {
			if k > 0 {
				p.data = append(p.data, '\t')
			}
			v := ""
			if i < len(r.Values) {
				v = r.Values[i]
			}
			p.data = appendField(p.data, v)
		}
		p.data = append(p.data, '\t')
		p.data = fp.Append(p.data, e, r.Values)
		p.data = appendLineage(p.data, lineage, r)
		if msg, err := p.end(); err != nil || msg != "" {
			return msg, err
		}
	}
	return p.flush()
}

// pieces gathers rows of LOAD DATA text in a buffer and hands them to send in pieces
// under a limit of bytes: a row is appended to data between begin and end, and end
// sends the rows before it when it takes data over the limit. The batches in flight
// reuse the same few buffers (loadBuffers) instead of growing a new one per statement.
type pieces struct {
	data  []byte
	start int // where the row being written starts
	n     int // rows in data before it
	limit int
	send  func(data []byte, n int) (string, error)
}

// loadBuffers keeps the buffers of the statements sent, for the next ones: a few, as
// many as batches are written at once. Not a sync.Pool, which a collection empties:
// a run collects often, and would grow its buffers again each time.
var loadBuffers = make(chan []byte, 4)

func newPieces(limit int, send func(data []byte, n int) (string, error)) *pieces {
	var data []byte
	select {
	case data = <-loadBuffers:
	default:
	}
	return &pieces{data: data[:0], limit: limit, send: send}
}

func (p *pieces) begin() { p.start = len(p.data) }

// end closes the row begun last; when it takes the piece over the limit, the rows
// before it are sent first, and the message or error of send is returned.
func (p *pieces) end() (string, error) {
	if p.n > 0 && len(p.data) > p.limit {
		msg, err := p.send(p.data[:p.start], p.n)
		if err != nil || msg != "" {
			return msg, err
		}
		p.data = p.data[:copy(p.data, p.data[p.start:])]
		p.n = 0
	}
	p.n++
	return "", nil
}

// flush sends the rows not sent yet.
func (p *pieces) flush() (string, error) {
	if p.n == 0 {
		return "", nil
	}
	msg, err := p.send(p.data, p.n)
	p.data, p.n = p.data[:0], 0
	return msg, err
}

// release gives the buffer back to the pool, unless it grew past what is worth keeping
// (a statement of a server with a large max_allowed_packet).
func (p *pieces) release() {
	if cap(p.data) <= 16<<20 {
		select {
		case loadBuffers <- p.data[:0]:
		default:
		}
	}
	p.data = nil
}

// writeHeaders writes the header rows derived from rows (an order from its lines)
// that are not there yet, with their fingerprints, before the rows that refer to them.
// An existing header is left as it is: a line that disagrees with it is then refused by
// the foreign key. The rows go in statements kept under the packet limit.
func writeHeaders(ctx context.Context, tx sqlx.ExtContext, b *batch, rows []store.Row) error {
	e := b.Entity
	for _, h := range e.Headers {
		idx := make([]int, len(h.Columns))
		for i, c := range h.Columns {
			idx[i] = e.Index(c)
		}
		cols := append(append(append([]string{}, h.Columns...), domain.FingerprintColumn), lineageColumns...)
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
		first := rules.QuoteIdent(h.Columns[0])
		seen := map[string]bool{}
		var args []any
		vals := make([]string, len(idx))
		n, size := 0, 0
		flush := func() error {
			if n == 0 {
				return nil
			}
			q := "INSERT INTO " + rules.QuoteIdent(h.Table) + " (" + quoteIdents(cols) + ") VALUES " +
				strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + " ON DUPLICATE KEY UPDATE " + first + " = " + first
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("write %s: %w", h.Table, err)
			}
			args, n, size = args[:0], 0, 0
			return nil
		}
		for _, r := range rows {
			k := r.Values[idx[0]]
			if seen[k] {
				continue
			}
			seen[k] = true
			rowArgs := make([]any, 0, len(cols))
			for j, i := range idx {
				vals[j] = r.Values[i]
				rowArgs = append(rowArgs, nullable(r.Values[i]))
			}
			rowArgs = append(rowArgs, domain.Fingerprint(vals))
			rowArgs = append(rowArgs, lineageArgs(b, r)...)
			rs := argsBytes(rowArgs) + len(row)
			if n > 0 && (size+rs > statementBytes(b.packet) || n >= rowsPerInsert) {
				if err := flush(); err != nil {
					return err
				}
			}
			args = append(args, rowArgs...)
			n++
			size += rs
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

// rowsPerInsert bounds the rows of one multi-row INSERT (and so its placeholders).
const rowsPerInsert = 200

// statementBytes is how many bytes of data one statement may carry under a server whose
// max_allowed_packet is packet: a quarter of it, leaving room for the statement's text
// and the protocol's overhead (0: the server's default of 16 MiB is assumed).
func statementBytes(packet int) int {
	if packet <= 0 {
		packet = 16 << 20
	}
	return packet / 4
}

// argsBytes is about how many bytes args take in a statement.
func argsBytes(args []any) int {
	n := 0
	for _, a := range args {
		switch v := a.(type) {
		case string:
			n += len(v) + 9
		default:
			n += 9
		}
	}
	return n
}

// nullable is a canonical value as a bound parameter: "" is NULL.
func nullable(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// loadLists sends the list items of rows (a project's sites) to their tables, in
// statements kept under the packet limit.
func loadLists(ctx context.Context, tx sqlx.ExtContext, b *batch, rows []store.Row) (string, error) {
	e := b.Entity
	keyIdx := e.Index(e.KeyColumn())
	lineage := batchLineage(b)
	for _, l := range e.Lists {
		li := e.Index(l.Column)
		cols := append([]string{e.KeyColumn(), l.ItemColumn}, lineageColumns...)
		msg, err := func() (string, error) {
			p := newPieces(statementBytes(b.packet), func(data []byte, n int) (string, error) {
				return loadData(ctx, tx, l.Table, cols, bytes.NewReader(data), n)
			})
			defer p.release()
			for _, r := range rows {
				if r.Values[li] == "" {
					continue
				}
				for _, it := range strings.Split(r.Values[li], "|") {
					p.begin()
					p.data = appendField(p.data, r.Values[keyIdx])
					p.data = append(p.data, '\t')
					p.data = appendField(p.data, it)
					p.data = appendLineage(p.data, lineage, r)
					if msg, err := p.end(); err != nil || msg != "" {
						return msg, err
					}
				}
			}
			return p.flush()
		}()
		if err != nil || msg != "" {
			return msg, err
		}
	}
	return "", nil
}

// batchLineage is the part of the lineage columns every row of b shares, as
// appendLineage writes it: a tab, run_id, a tab, source_file.
func batchLineage(b *batch) []byte {
	l := append([]byte{'\t'}, appendField(nil, b.RunID)...)
	l = append(l, '\t')
	return appendField(l, b.File)
}

// appendLineage appends the lineage columns of r to dst, from lineage (batchLineage),
// and ends the row.
func appendLineage(dst, lineage []byte, r store.Row) []byte {
	dst = append(dst, lineage...)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, int64(r.Line), 10)
	dst = append(dst, '\t')
	dst = appendField(dst, r.OriginFile)
	if r.OriginLine > 0 {
		dst = append(dst, '\t')
		dst = strconv.AppendInt(dst, int64(r.OriginLine), 10)
		return append(dst, '\n')
	}
	return append(dst, "\t\\N\n"...)
}

// appendField appends v in LOAD DATA's default escaping: "" is NULL (\N); backslash,
// tab, newline, carriage return and NUL are escaped. The runs of bytes between them go
// whole.
func appendField(dst []byte, v string) []byte {
	if v == "" {
		return append(dst, `\N`...)
	}
	done := 0
	for i := 0; i < len(v); i++ {
		var esc string
		switch v[i] {
		case '\\':
			esc = `\\`
		case '\t':
			esc = `\t`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case 0:
			esc = `\0`
		default:
			continue
		}
		dst = append(append(dst, v[done:i]...), esc...)
		done = i + 1
	}
	return append(dst, v[done:]...)
}

// loadData streams data into table through a registered reader. The table and column
// names come from the domain (code), never from data. It returns the first warning's
// message when the server warned or did not take exactly want rows.
func loadData(ctx context.Context, tx sqlx.ExtContext, table string, cols []string, data io.Reader, want int) (string, error) {
	name := fmt.Sprintf("dmt-%d", readerSeq.Add(1))
	mysql.RegisterReaderHandler(name, func() io.Reader { return data })
	defer mysql.DeregisterReaderHandler(name)
	q := "LOAD DATA LOCAL INFILE 'Reader::" + name + "' INTO TABLE " + rules.QuoteIdent(table) +
		" CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" +
		quoteIdents(cols) + ")"
	res, err := tx.ExecContext(ctx, q)
	if err != nil {
		var me *mysql.MySQLError
		if errors.As(err, &me) && dataErrors[me.Number] {
			return fmt.Sprintf("Error %d: %s", me.Number, me.Message), nil
		}
		return "", err
	}
	var warnings int
	if err := sqlx.GetContext(ctx, tx, &warnings, "SELECT @@warning_count"); err != nil {
		return "", err
	}
	if warnings > 0 {
		var level, msg string
		var code int
		if err := tx.QueryRowxContext(ctx, "SHOW WARNINGS LIMIT 1").Scan(&level, &code, &msg); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %d: %s", level, code, msg), nil
	}
	if n, err := res.RowsAffected(); err == nil && int(n) != want {
		return fmt.Sprintf("server took %d of %d rows", n, want), nil
	}
	return "", nil
}

// dataErrors are the server errors that blame the rows sent, not the connection or the
// schema: such a batch is bisected to find the rows; any other error stops the run.
var dataErrors = map[uint16]bool{
	1048: true, // column cannot be null
	1062: true, // duplicate entry
	1264: true, // out of range
	1265: true, // data truncated
	1292: true, // incorrect value
	1366: true, // incorrect integer/decimal value
	1406: true, // data too long
	1451: true, // foreign key (parent)
	1452: true, // foreign key (child)
	3819: true, // check constraint (MySQL)
	4025: true, // check constraint (MariaDB)
}

// quoteIdents is cols quoted (rules.QuoteIdent) and joined by commas: a column list.
func quoteIdents(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = rules.QuoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// Limits of the rejections table's text columns, in bytes (utf8mb4 TEXT and
// MEDIUMTEXT).
const (
	detailColumnBytes = 1<<16 - 1
	rawColumnBytes    = 1<<24 - 1
)

// truncatedMark ends a detail cut to fit its column or the packet limit.
const truncatedMark = " [truncated; the whole text is in the rejected-rows file]"

// storedRejection is a rejection as the table can hold it: its raw text and detail cut
// to what the columns and the server's packet limit allow (the whole text stays in the
// rejected-rows file), with the size of each text that was cut (0 when whole). A row of
// 50 MB, or a detail quoting a 70,000-character value, is then one rejection, not a
// batch the server refuses (Error 1153, 1406, or a connection reset) on every rerun.
func storedRejection(r store.Rejection, packet int) (detail, raw string, detailBytes, rawBytes int) {
	if packet <= 0 {
		packet = 16 << 20
	}
	detail, raw = r.Detail, r.Raw
	// One rejection must fit a statement alone (see statementBytes): raw takes at most
	// a sixth of the packet, the detail a sixteenth.
	if limit := min(rawColumnBytes, packet/6); len(raw) > limit {
		raw, rawBytes = cutUTF8(raw, limit), len(r.Raw)
	}
	if r.RawBytes > len(r.Raw) {
		rawBytes = r.RawBytes
	}
	if limit := min(detailColumnBytes, packet/16); len(detail) > limit {
		detail, detailBytes = cutUTF8(detail, limit-len(truncatedMark))+truncatedMark, len(r.Detail)
	}
	return detail, raw, detailBytes, rawBytes
}

// insertRejections records rejected rows in the rejections table, up to rowsPerInsert
// per statement and each statement under the packet limit.
func insertRejections(ctx context.Context, tx sqlx.ExtContext, b *batch, rej []store.Rejection, packet int) error {
	const cols = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	var args []any
	n, size := 0, 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		q := "INSERT INTO rejections (run_id, tool, file, entity, line, codes, detail, raw, detail_bytes, raw_bytes) VALUES " +
			strings.TrimSuffix(strings.Repeat(cols+", ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("record rejections: %w", err)
		}
		args, n, size = args[:0], 0, 0
		return nil
	}
	for _, r := range rej {
		detail, raw, detailBytes, rawBytes := storedRejection(r, packet)
		row := []any{b.RunID, b.Tool, b.File, b.Entity.Name, r.Line, truncate(r.Codes, store.CodesBytes), detail, raw,
			nullableInt(detailBytes), nullableInt(rawBytes)}
		rs := argsBytes(row) + len(cols)
		if n > 0 && (size+rs > statementBytes(packet) || n >= rowsPerInsert) {
			if err := flush(); err != nil {
				return err
			}
		}
		args = append(args, row...)
		n++
		size += rs
	}
	return flush()
}

// nullableInt is n as a bound parameter, NULL for 0.
func nullableInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// packetLimit returns the server's max_allowed_packet, read once for the pool: the
// statements a batch sends are sized by it. Should it not be read, 1 MiB is assumed (a
// low setting: statements are then only smaller than they could be), and it is read
// again for the next batch.
func (db *DB) packetLimit(ctx context.Context) int {
	if n := db.packet.Load(); n > 0 {
		return int(n)
	}
	var n int64
	if err := db.pool.GetContext(ctx, &n, "SELECT @@max_allowed_packet"); err != nil || n <= 0 {
		return 1 << 20
	}
	db.packet.Store(n)
	return int(n)
}

// insertCorrections records b.Corrections in the corrections table, a few hundred per
// statement.
func insertCorrections(ctx context.Context, tx sqlx.ExtContext, b *batch) error {
	const per = 200
	for start := 0; start < len(b.Corrections); start += per {
		chunk := b.Corrections[start:min(start+per, len(b.Corrections))]
		q := "INSERT INTO corrections (run_id, tool, file, entity, line, origin_file, origin_line, field, before_value, after_value, rule) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(chunk)), ", ")
		args := make([]any, 0, 11*len(chunk))
		for _, c := range chunk {
			var line any
			if c.OriginLine > 0 {
				line = c.OriginLine
			}
			args = append(args, b.RunID, b.Tool, b.File, b.Entity.Name, c.Line, nullable(c.OriginFile), line,
				c.Field, c.Before, c.After, c.Rule)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("record corrections: %w", err)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// addProgress adds a batch's counts to its file's journal row, in the batch's transaction.
func addProgress(ctx context.Context, ex sqlx.ExecerContext, runID, file string, p store.Progress) error {
	_, err := ex.ExecContext(ctx, "UPDATE journal_files SET `read` = `read` + ?,"+
		" inserted = inserted + ?, rejected = rejected + ?, ignored = ignored + ?, updated = updated + ? WHERE run_id = ? AND file = ?",
		p.Read, p.Inserted, p.Rejected, p.Ignored, p.Updated, runID, file)
	if err != nil {
		return fmt.Errorf("journal progress: %w", err)
	}
	return nil
}

// updateRows replaces the loaded rows of b.Updates, in b's transaction: it keeps their
// old values in b.Old for the log (and, for an entity with a History table, in that
// table: see keepHistory), writes the new values, fingerprint and lineage with one
// multi-row INSERT ... ON DUPLICATE KEY UPDATE, and replaces their list items.
func updateRows(ctx context.Context, tx sqlx.ExtContext, b *batch) error {
	if len(b.Updates) == 0 {
		return nil
	}
	e := b.Entity
	if len(e.Key) > 1 {
		return fmt.Errorf("update %s: rows with a composite key cannot be replaced", e.Name)
	}
	keyIdx := e.Index(e.KeyColumn())
	keys := make([]string, len(b.Updates))
	byKey := map[string]int{}
	for i, r := range b.Updates {
		keys[i] = r.Values[keyIdx]
		byKey[r.Values[keyIdx]] = r.Line
	}
	inKeys, keyArgs, err := sqlx.In(rules.QuoteIdent(e.KeyColumn())+" IN (?)", keys)
	if err != nil {
		return fmt.Errorf("update %s: %w", e.Name, err)
	}
	b.Old = map[int][]string{}
	if err := scanRows(ctx, tx, e, " WHERE "+inKeys, keyArgs, func(vals []string) error {
		b.Old[byKey[vals[keyIdx]]] = append([]string(nil), vals...)
		return nil
	}); err != nil {
		return fmt.Errorf("read rows to update: %w", err)
	}
	if e.History != "" {
		if err := keepHistory(ctx, tx, b); err != nil {
			return err
		}
	}
	var cols, sets []string
	var idx []int
	for i, f := range e.Fields {
		if e.List(f.Name) != nil {
			continue
		}
		cols, idx = append(cols, f.Name), append(idx, i)
	}
	cols = append(append(cols, domain.FingerprintColumn), lineageColumns...)
	for _, c := range cols {
		sets = append(sets, rules.QuoteIdent(c)+" = VALUES("+rules.QuoteIdent(c)+")")
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var args []any
	for _, r := range b.Updates {
		for _, i := range idx {
			args = append(args, nullable(r.Values[i]))
		}
		args = append(args, e.Fingerprint(r.Values))
		args = append(args, lineageArgs(b, r)...)
	}
	q := "INSERT INTO " + rules.QuoteIdent(e.Name) + " (" + quoteIdents(cols) + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", len(b.Updates)), ", ") + " ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", ")
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("update %s: %w", e.Name, err)
	}
	for _, l := range e.Lists {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+rules.QuoteIdent(l.Table)+" WHERE "+inKeys, keyArgs...); err != nil {
			return fmt.Errorf("update %s: %w", l.Table, err)
		}
	}
	msg, err := loadLists(ctx, tx, b, b.Updates)
	if err == nil && msg != "" {
		err = fmt.Errorf("update %s lists: %s", e.Name, msg)
	}
	return err
}

// keepHistory copies the rows b.Updates are about to replace into the entity's History
// table, in b's transaction, with the dates their values were in force: valid_from is
// the valid_to of the key's latest earlier version (NULL for the values first loaded:
// in force since then, and before as far as anyone can tell), valid_to the batch's date,
// the first day of the new values. A change is never dated before the values it
// replaces came into force: runs dated out of order give an empty span, not an inverted
// one. run_id, source_file and source_line (and origin_*) name the run and the line that
// brought the new values; loaded_run_id, loaded_file, loaded_line and row_sha are the
// replaced row's lineage and fingerprint, so that undoing the run can put it back. One
// INSERT ... SELECT per rowsPerInsert rows, so the cost follows the changes, not the
// size of the tables.
func keepHistory(ctx context.Context, tx sqlx.ExtContext, b *batch) error {
	e := b.Entity
	var cols []string
	for _, f := range e.Fields {
		if e.List(f.Name) == nil {
			cols = append(cols, f.Name)
		}
	}
	key, hist := rules.QuoteIdent(e.KeyColumn()), rules.QuoteIdent(e.History)
	latest := "(SELECT MAX(h.valid_to) FROM " + hist + " h WHERE h." + key + " = c." + key + ")"
	day := "COALESCE(CAST(? AS DATE), CURRENT_DATE)"
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "c." + rules.QuoteIdent(c)
	}
	head := "INSERT INTO " + hist + " (" + quoteIdents(cols) + ", valid_from, valid_to, " + quoteIdents(lineageColumns) +
		", loaded_run_id, loaded_file, loaded_line, " + domain.FingerprintColumn + ") SELECT " + strings.Join(sel, ", ") + ", " + latest +
		", GREATEST(" + day + ", COALESCE(" + latest + ", " + day + ")), u.run_id, u.source_file, u.source_line, u.origin_file, u.origin_line," +
		" c.run_id, c.source_file, c.source_line, c." + domain.FingerprintColumn + " FROM ("
	tail := ") u JOIN " + rules.QuoteIdent(e.Name) + " c ON c." + key + " = u.k"
	keyIdx := e.Index(e.KeyColumn())
	for start := 0; start < len(b.Updates); start += rowsPerInsert {
		rows := b.Updates[start:min(start+rowsPerInsert, len(b.Updates))]
		args := []any{nullable(b.Date), nullable(b.Date)}
		parts := make([]string, len(rows))
		for i, r := range rows {
			parts[i] = "SELECT ? AS k, ? AS run_id, ? AS source_file, ? AS source_line, ? AS origin_file, ? AS origin_line"
			if i > 0 {
				parts[i] = "SELECT ?, ?, ?, ?, ?, ?"
			}
			args = append(args, r.Values[keyIdx])
			args = append(args, lineageArgs(b, r)...)
		}
		if _, err := tx.ExecContext(ctx, head+strings.Join(parts, " UNION ALL ")+tail, args...); err != nil {
			return fmt.Errorf("keep %s: %w", e.History, err)
		}
	}
	return nil
}
