package mariadb

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"dmt/pkg/store"
)

// Memory keeps a run's facts (store.Fact) in a session TEMPORARY table, on a connection
// of its own held for the run: what a checker learnt of its run that the business tables
// do not hold, kept out of the process's memory. The table lives as long as the
// connection and is seen by no other session; it writes nothing to the database, so a
// dry run may use it.
//
// Facts reach the table as batches reach the business tables, with LOAD DATA LOCAL
// INFILE from memory, written by a goroutine of the Memory's own while its caller goes on
// judging rows: Keep queues its facts in pieces and returns. Recall does not wait for
// the queue: its statement goes before the pieces not written yet (after the one being
// written), and it reads those pieces in the process. A Memory is not safe for
// concurrent use (its caller is one checker).
type Memory struct {
	conn *sqlx.Conn
	// hash gives a value's 64-bit hash, the table's h: it finds candidates, which are
	// then compared on their value (a test makes every value collide).
	hash func(string) uint64
	// seq numbers the facts in the order kept (the writer's): of the rows of one value,
	// the highest is the latest.
	seq int64

	names sync.Mutex // guards codes, files and fileNames (Keep and Recall write them, the writer reads them)
	// codes numbers the entity and index of every fact kept (the table's k): Recall asks
	// only of those (a dry run's look-ups of parents loaded by earlier runs ask nothing).
	codes map[[2]string]int
	// files numbers the files facts name (the table's file), fileNames names them back.
	files     map[string]int
	fileNames []string
	// room holds a token for each piece queued and not written: Keep waits for room
	// when the writer is memoryPieces behind.
	room chan struct{}
	wake chan struct{} // a piece or a read came
	done chan struct{} // the writer stopped

	mu      sync.Mutex
	queue   []memoryPiece // pieces not written yet, in the order kept
	reads   []memoryRead  // reads waiting, served before the next piece
	closing bool
	err     error // the first error of a statement: every later call returns it
}

// memoryPiece is up to pieceFacts facts of one call to Keep (their slice, held until
// written), with the context of that call.
type memoryPiece struct {
	ctx   context.Context
	facts []store.Fact
}

// memoryRead is a Recall's statement, run by the writer; reply gets its rows.
type memoryRead struct {
	ctx    context.Context
	code   int // of the entity and index
	values []string
	reply  chan memoryReply
}

type memoryReply struct {
	rows []memoryRow
	err  error
}

// pieceFacts is how many facts one LOAD DATA writes: a Recall waits for one piece at
// most. memoryPieces is how many pieces may wait to be written: a batch and a half of
// the default size, with a unique index each. Each piece holds its rows' values until
// written; 16 pieces took a million-row dry run to 117-121 MB peak, 8 to 94-95 MB, at
// the same speed (the writer, not the queue, sets the pace).
const (
	pieceFacts   = 4096
	memoryPieces = 8
)

// OpenMemory returns an empty run memory on db: memoryShards Memories, each with its
// table on a connection of its own, facts shared among them by the hash of their
// entity, index and value (see shards). A session's temporary table is written by its
// session alone: one writer made a dry run wait for its facts' LOAD DATA (2 million
// facts, 11.5 s of the server's time, one core) while the other core idled. An account
// without the CREATE TEMPORARY TABLES privilege, or a server that refuses LOAD DATA
// LOCAL INFILE, gets an error saying so. Close releases the connections (and tables).
func (db *DB) OpenMemory(ctx context.Context) (store.RunMemory, error) {
	s := &shards{seed: maphash.MakeSeed()}
	for range memoryShards {
		m, err := db.openMemory(ctx, memoryPieces/memoryShards)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.of = append(s.of, m)
	}
	return s, nil
}

// memoryShards is how many Memories a run memory writes at once: one a core.
const memoryShards = 2

// openMemory returns an empty Memory on db, its table created on a connection of its
// own, that lets pieces pieces wait to be written.
func (db *DB) openMemory(ctx context.Context, pieces int) (*Memory, error) {
	conn, err := db.pool.Connx(ctx)
	if err != nil {
		return nil, FormatError(err)
	}
	seed := maphash.MakeSeed()
	hash := func(v string) uint64 { return maphash.String(seed, v) }
	if os.Getenv("DMT_TEST_HASH") == "collide" { // as the checker's (check.hashOf): every value one candidate of all
		hash = func(string) uint64 { return 0 }
	}
	m := &Memory{conn: conn, hash: hash,
		codes: map[[2]string]int{}, files: map[string]int{}, room: make(chan struct{}, pieces),
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	if _, err := conn.ExecContext(ctx, memoryTable); err != nil {
		conn.Close()
		return nil, fmt.Errorf("run memory: %w", FormatError(err))
	}
	// An empty load: a server without local_infile says so now, not at the first fact.
	if err := m.load(ctx, nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("run memory: %w", FormatError(err))
	}
	go m.write()
	return m, nil
}

// shards is a run memory kept in several Memories: a fact goes to the one its entity,
// index and value hash to, so that a later fact of the same value meets the earlier
// one there (see Keep), and a value is recalled from that one.
type shards struct {
	seed maphash.Seed
	of   []*Memory
}

func (s *shards) shard(entity, index, value string) int {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(entity)
	h.WriteByte(0)
	h.WriteString(index)
	h.WriteByte(0)
	h.WriteString(value)
	return int(h.Sum64() % uint64(len(s.of)))
}

// Keep hands each Memory its share of facts, in their order.
func (s *shards) Keep(ctx context.Context, facts []store.Fact) error {
	parts := make([][]store.Fact, len(s.of))
	for _, f := range facts {
		i := s.shard(f.Entity, f.Index, f.Value)
		if parts[i] == nil {
			parts[i] = make([]store.Fact, 0, len(facts)/len(s.of)+len(facts)/16+1)
		}
		parts[i] = append(parts[i], f)
	}
	for i, m := range s.of {
		if len(parts[i]) > 0 {
			if err := m.Keep(ctx, parts[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// Recall asks each Memory for the values that hash to it.
func (s *shards) Recall(ctx context.Context, entity, index string, values []string, fn func(store.Fact) error) error {
	parts := make([][]string, len(s.of))
	for _, v := range values {
		i := s.shard(entity, index, v)
		parts[i] = append(parts[i], v)
	}
	for i, m := range s.of {
		if len(parts[i]) > 0 {
			if err := m.Recall(ctx, entity, index, parts[i], fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close closes every Memory and returns the first error.
func (s *shards) Close() error {
	var first error
	for _, m := range s.of {
		if err := m.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// memoryTable holds facts by the number of their entity and index (k), the 64-bit hash
// of their value (h) and their order (seq); Recall compares the value itself, and of the
// rows of one value takes the latest or the first. A narrow key appended in order: the
// SHA-256 of the value under the entity's and the index's names, replaced or ignored in
// place, cost a third more of the server's time per fact, and a run keeps millions. Its
// other columns are binary and hold any length: a fact comes back byte for byte as it
// was kept, never cut or converted.
const memoryTable = "CREATE TEMPORARY TABLE dmt_run_memory (" +
	"k INT UNSIGNED NOT NULL, h BIGINT NOT NULL, seq BIGINT NOT NULL, " +
	"value LONGBLOB NOT NULL, line BIGINT NOT NULL, file INT UNSIGNED NOT NULL, vals LONGBLOB NULL, " +
	"PRIMARY KEY (k, h, seq)) ENGINE=InnoDB"

// Keep records facts. For the "key" and "rejected" indexes a later fact replaces an
// earlier one of the same value; for the others (unique owners, consistency) the first
// stays. Keep holds facts (the slice and the values) until they are written, meanwhile:
// the caller must not change them. An error in writing them is returned by a later call.
func (m *Memory) Keep(ctx context.Context, facts []store.Fact) error {
	if err := m.failure(); err != nil {
		return err
	}
	m.names.Lock()
	for _, f := range facts {
		if _, ok := m.codes[[2]string{f.Entity, f.Index}]; !ok {
			m.codes[[2]string{f.Entity, f.Index}] = len(m.codes)
		}
		if _, ok := m.files[f.File]; !ok {
			m.files[f.File] = len(m.fileNames)
			m.fileNames = append(m.fileNames, f.File)
		}
	}
	m.names.Unlock()
	for start := 0; start < len(facts); start += pieceFacts {
		select {
		case m.room <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
		m.mu.Lock()
		m.queue = append(m.queue, memoryPiece{ctx: ctx, facts: facts[start:min(start+pieceFacts, len(facts))]})
		m.mu.Unlock()
		m.signal()
	}
	return nil
}

// signal wakes the writer.
func (m *Memory) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// failure returns the first error of a statement, nil when none failed.
func (m *Memory) failure() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// write runs the Memory's statements until Close: the reads waiting first, then the
// pieces in the order they were kept. After a statement failed it runs no other: the
// pieces are dropped, the reads get the error.
func (m *Memory) write() {
	defer close(m.done)
	var buf []byte
	for {
		m.mu.Lock()
		switch {
		case len(m.reads) > 0:
			r := m.reads[0]
			m.reads = m.reads[1:]
			err := m.err
			m.mu.Unlock()
			var rows []memoryRow
			if err == nil {
				rows, err = m.read(r)
				m.fail(err)
			}
			r.reply <- memoryReply{rows, m.failure()}
		case len(m.queue) > 0:
			p := m.queue[0]
			m.queue = m.queue[1:]
			err := m.err
			m.mu.Unlock()
			if err == nil {
				buf, err = m.loadPiece(p, buf)
				m.fail(err)
			}
			<-m.room
		case m.closing:
			m.mu.Unlock()
			return
		default:
			m.mu.Unlock()
			<-m.wake
		}
	}
}

// fail keeps err, wrapped, when it is the first.
func (m *Memory) fail(err error) {
	if err == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err == nil {
		m.err = fmt.Errorf("run memory: %w", FormatError(err))
	}
}

// loadPiece writes p, every fact a row of its own. buf is reused.
func (m *Memory) loadPiece(p memoryPiece, buf []byte) ([]byte, error) {
	buf = buf[:0]
	m.names.Lock()
	for _, f := range p.facts {
		m.seq++
		buf = m.appendFact(buf, f, m.seq)
	}
	m.names.Unlock()
	return buf, m.load(p.ctx, buf)
}

// latestWins reports whether a later fact of index replaces an earlier one.
func latestWins(index string) bool { return index == "key" || index == "rejected" }

// load streams data (rows of appendFact) into the table. No data still sends the
// statement (OpenMemory's check).
func (m *Memory) load(ctx context.Context, data []byte) error {
	name := fmt.Sprintf("dmt-memory-%d", readerSeq.Add(1))
	mysql.RegisterReaderHandler(name, func() io.Reader { return bytes.NewReader(data) })
	defer mysql.DeregisterReaderHandler(name)
	_, err := m.conn.ExecContext(ctx, "LOAD DATA LOCAL INFILE 'Reader::"+name+"' INTO TABLE dmt_run_memory"+
		" CHARACTER SET binary FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n'"+
		" (k, h, seq, value, line, file, vals)")
	return err
}

// appendFact appends f, the seq-th fact, to dst as a row of the table in LOAD DATA's
// text format, its value as bytes (appendEscaped); Values, NULL when nil, as each
// value's length (a uvarint) then its bytes. The caller holds m.names.
func (m *Memory) appendFact(dst []byte, f store.Fact, seq int64) []byte {
	dst = strconv.AppendInt(dst, int64(m.codes[[2]string{f.Entity, f.Index}]), 10)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, int64(m.hash(f.Value)), 10)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, '\t')
	dst = appendEscaped(dst, f.Value)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, int64(f.Line), 10)
	dst = append(dst, '\t')
	dst = strconv.AppendInt(dst, int64(m.files[f.File]), 10)
	dst = append(dst, '\t')
	if f.Values == nil {
		return append(dst, `\N`+"\n"...)
	}
	var n [binary.MaxVarintLen64]byte
	for _, v := range f.Values {
		dst = appendEscaped(dst, n[:binary.PutUvarint(n[:], uint64(len(v)))])
		dst = appendEscaped(dst, v)
	}
	return append(dst, '\n')
}

// appendEscaped appends v as (part of) a field of LOAD DATA's text format: backslash,
// tab, newline, carriage return and NUL escaped, as appendField does, but "" is an empty
// field, not NULL.
func appendEscaped[T string | []byte](dst []byte, v T) []byte {
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

// decodeValues is the inverse of appendFact's encoding of Values.
func decodeValues(b []byte) ([]string, error) {
	vals := []string{}
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, errors.New("run memory: a fact's values are cut")
		}
		vals = append(vals, string(b[k:k+int(n)]))
		b = b[k+int(n):]
	}
	return vals, nil
}

// memoryRow is a fact as the table gives it back (File named back from its number).
type memoryRow struct {
	Value string `db:"value"`
	Seq   int64  `db:"seq"`
	Line  int    `db:"line"`
	FileN int    `db:"file"`
	File  string
	Vals  []byte `db:"vals"`
}

// Recall calls fn with the facts of entity and index whose value is one of values: the
// table's, as the pieces not written yet change them.
func (m *Memory) Recall(ctx context.Context, entity, index string, values []string, fn func(store.Fact) error) error {
	if err := m.failure(); err != nil {
		return err
	}
	m.names.Lock()
	code, kept := m.codes[[2]string{entity, index}]
	m.names.Unlock()
	if !kept || len(values) == 0 {
		return nil
	}
	r := memoryRead{ctx: ctx, code: code, values: values, reply: make(chan memoryReply, 1)}
	// The pieces queued now are written after r is read: r's rows are the table's
	// before them.
	m.mu.Lock()
	pending := make([]memoryPiece, len(m.queue))
	copy(pending, m.queue)
	m.reads = append(m.reads, r)
	m.mu.Unlock()
	m.signal()
	var got memoryReply
	select {
	case got = <-r.reply:
	case <-ctx.Done():
		return ctx.Err()
	}
	if got.err != nil {
		return got.err
	}
	facts, err := merge(entity, index, values, got.rows, pending)
	if err != nil {
		return err
	}
	for _, f := range facts {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// merge returns the facts of entity and index whose value is one of values, as the
// table holds them (rows: of a value's rows, the highest seq when the latest fact wins,
// the lowest when the first does) once the pending pieces are written after them.
func merge(entity, index string, values []string, rows []memoryRow, pending []memoryPiece) ([]store.Fact, error) {
	byValue := make(map[string]store.Fact, len(values))
	for _, v := range values {
		byValue[v] = store.Fact{}
	}
	latest := latestWins(index)
	chosen := map[string]int{} // value: its row in rows
	var order []string         // values found, in the order found
	for i, g := range rows {
		if _, ok := byValue[g.Value]; !ok {
			continue // another value with the same hash
		}
		j, seen := chosen[g.Value]
		if !seen {
			order = append(order, g.Value)
		}
		if !seen || (g.Seq > rows[j].Seq) == latest {
			chosen[g.Value] = i
		}
	}
	for v, i := range chosen {
		g := rows[i]
		f := store.Fact{Entity: entity, Index: index, Value: v, Line: g.Line, File: g.File}
		if g.Vals != nil {
			var err error
			if f.Values, err = decodeValues(g.Vals); err != nil {
				return nil, err
			}
		}
		byValue[v] = f
	}
	for _, p := range pending {
		for _, f := range p.facts {
			old, ok := byValue[f.Value]
			if !ok || f.Entity != entity || f.Index != index || (old.Entity != "" && !latestWins(index)) {
				continue
			}
			if old.Entity == "" {
				order = append(order, f.Value)
			}
			byValue[f.Value] = f
		}
	}
	facts := make([]store.Fact, len(order))
	for i, v := range order {
		facts[i] = byValue[v]
	}
	return facts, nil
}

// read runs r's statement: the rows of r.code whose value has the hash of one of
// r.values, their files named.
func (m *Memory) read(r memoryRead) ([]memoryRow, error) {
	hashes := make([]int64, 0, len(r.values))
	seen := make(map[int64]bool, len(r.values))
	for _, v := range r.values {
		if h := int64(m.hash(v)); !seen[h] {
			seen[h] = true
			hashes = append(hashes, h)
		}
	}
	var got []memoryRow
	for start := 0; start < len(hashes); start += lookupTuples {
		q, args, err := sqlx.In("SELECT value, seq, line, file, vals FROM dmt_run_memory WHERE k = ? AND h IN (?)", r.code, hashes[start:min(start+lookupTuples, len(hashes))])
		if err != nil {
			return nil, err
		}
		var rows []memoryRow
		if err := m.conn.SelectContext(r.ctx, &rows, q, args...); err != nil {
			return nil, err
		}
		got = append(got, rows...)
	}
	m.names.Lock()
	for i := range got {
		if got[i].FileN >= len(m.fileNames) {
			m.names.Unlock()
			return nil, fmt.Errorf("a fact names file %d of %d", got[i].FileN, len(m.fileNames))
		}
		got[i].File = m.fileNames[got[i].FileN]
	}
	m.names.Unlock()
	return got, nil
}

// Close releases the Memory's connection, and with it its table, once the statement
// running is done; the facts not written yet are dropped (no Recall can follow). It
// returns the first error of a statement.
func (m *Memory) Close() error {
	if m.conn == nil {
		return nil
	}
	m.mu.Lock()
	m.closing, m.queue = true, nil
	m.mu.Unlock()
	m.signal()
	<-m.done
	err := m.conn.Close()
	m.conn = nil
	if ferr := m.failure(); ferr != nil {
		return ferr
	}
	return err
}
