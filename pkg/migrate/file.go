package migrate

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"dmt/pkg/check"
	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
	"dmt/pkg/report"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// fileRun is the loading of one source file: the reader's side, which judges each row
// into the batch being filled (cur), hands full batches to the loaders, and leaves the
// accounting of committed batches to the accountant.
type fileRun struct {
	ctx      context.Context
	opt      Options
	f        *opened
	e        *domain.Entity
	log      *slog.Logger
	words    Words
	before   *earlier // the latest earlier complete run of the same content, or nil
	pool     *loaderPool
	book     *accountant
	cur      *batchJob
	seq      int      // batches made so far
	lastLine int      // the last line put in a batch
	raw      []string // the row being read, aligned with e.Fields
	chunk    chunk    // lines read, waiting to be judged together
	// prev is the file read before, until it is settled (see settlePrev); begun, that
	// this file is recorded in the journal and may send batches.
	prev        *fileRun
	begun       bool
	failedBegin error
	settled     bool
	settleErr   error
	early       [][]any // corrections logged once the file's start is (see corrected)
}

// readFile reads f whole, judging its rows into batches that its loaders write, and
// returns its run, whose last batches may still be committing: settle finishes it.
// prev, the file read before (nil for the first), is settled before f's first batch
// is written or f is recorded in the journal. A file skipped (unchanged since a run
// that loaded it whole) returns no run.
func readFile(ctx context.Context, opt Options, f *opened, prev *fileRun) (*fileRun, error) {
	e := f.src.Entity
	r := &fileRun{ctx: ctx, opt: opt, f: f, e: e, log: opt.Log.With("file", f.src.Name), words: opt.Words.orDefault(),
		raw: make([]string, len(e.Fields)), lastLine: 1, prev: prev} // line 1 is the header
	opt.Checker.SetSource(f.src.Name)
	if skip, err := r.lookEarlier(); err != nil || skip {
		return nil, err
	}
	r.book = newAccountant(r)
	r.pool = startLoaders(ctx, opt, r.book.take)
	r.cur = r.newJob(0)
	return r, r.readAll()
}

// settle waits for the file's batches to be committed, counts them, and records the
// file as read whole; it returns the first error of the file. It runs once: later calls
// return the same error.
func (r *fileRun) settle() error {
	if r.settled {
		return r.settleErr
	}
	r.settled = true
	var err error
	if r.prev != nil { // this file stopped before its first batch
		err = r.prev.settle()
		r.prev = nil
	}
	if r.begun {
		err = withLater(err, r.pool.Close())
		err = withLater(err, r.book.finish())
	} else {
		r.pool.Close() // nothing was sent
		err = withLater(err, r.failedBegin)
	}
	switch {
	case !r.begun: // stopped before its first batch: Run gives its state
	case err == nil:
		err = r.complete()
	default:
		r.f.rep.State = report.StateFailed
		if r.ctx.Err() != nil {
			r.f.rep.State = report.StateInterrupted
		}
	}
	r.f.release()
	r.settleErr = err
	return err
}

// settlePrev settles the file read before this one, once, and records this one in the
// journal: its first batch can then be written.
func (r *fileRun) settlePrev() error {
	if r.begun || r.failedBegin != nil {
		return r.failedBegin
	}
	if r.prev != nil {
		if err := r.prev.settle(); err != nil {
			r.failedBegin = err
			return err
		}
		r.prev = nil
	}
	if err := r.begin(); err != nil {
		r.failedBegin = err
		return err
	}
	r.begun = true
	for _, attrs := range r.early {
		r.log.Info("corrected", attrs...)
	}
	r.early = nil
	return nil
}

// withLater returns err joined with later, an error met while stopping, when later says
// something err does not: no error is dropped.
func withLater(err, later error) error {
	switch {
	case err == nil:
		return later
	case later == nil || errors.Is(err, later):
		return err
	}
	return errors.Join(err, later)
}

// lookEarlier judges the file against the journal's earlier runs of the same tool
// (Options.Incremental). It returns skip when the latest one read the same content whole
// without rejecting a row: the file is not read again.
func (r *fileRun) lookEarlier() (skip bool, err error) {
	opt, src, rep := r.opt, r.f.src, r.f.rep
	if !opt.Incremental || opt.Store == nil || src.Reread == nil {
		return false, nil
	}
	sha, last, ok, err := lookBack(r.ctx, opt, src)
	switch {
	case err != nil && opt.DryRun:
		return false, nil // a dry run on a database without the journal: nothing was loaded before
	case err != nil:
		return false, err
	case ok && last.Rejected == 0:
		rep.State, rep.SHA256, rep.UnchangedSince = report.StateSkipped, sha, last.RunID
		r.log.Info("skipped", "entity", r.e.Name, "sha256", sha,
			"detail", "unchanged since run "+last.RunID+", which loaded all its rows; not read again")
		return true, nil
	case ok:
		rejected, err := opt.Store.RejectedLines(r.ctx, last.RunID, last.File)
		if err != nil {
			return false, err
		}
		r.before = &earlier{run: last.RunID, rejected: rejected}
		rep.StillRejectedSince = last.RunID
	}
	return false, nil
}

// begin logs the start of the file and records it in the journal.
func (r *fileRun) begin() error {
	rep := r.f.rep
	r.log.Info("start", "entity", r.e.Name, "dialect", rep.Dialect)
	for _, w := range rep.Warnings {
		r.log.Warn("column", "code", rules.UnknownColumn, "detail", w)
	}
	if !r.opt.writes() {
		return nil
	}
	return r.opt.Store.AddFile(r.ctx, r.opt.RunID, r.f.src.Name, r.e.Name)
}

// readAll reads the file to its end, judging its rows a chunk at a time, and sends the
// last batch. A data problem never stops it; the context, a read error, a look-up or a
// batch that failed does.
func (r *fileRun) readAll() error {
	size := int64(-1)
	if r.opt.Size != nil {
		size = r.opt.Size(r.f.src)
	}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
			if r.opt.Progress != nil {
				r.opt.Progress(r.f.src.Name, r.f.counter.n, size)
			}
		}
		rec, err := r.f.r.Read()
		var pe *csvfile.ParseError
		switch {
		case err == io.EOF:
			if err := r.judgeChunk(); err != nil {
				return err
			}
			r.cur.batch.Progress.Line = r.lastLine
			return r.send()
		case errors.As(err, &pe):
			r.chunk.lines = append(r.chunk.lines, chunkLine{unreadable: pe})
		case err != nil:
			return fmt.Errorf("%s: %w", r.f.src.Name, err)
		default:
			if err := r.row(rec); err != nil {
				return err
			}
		}
		if len(r.chunk.rows) >= r.opt.BatchSize {
			if err := r.judgeChunk(); err != nil {
				return err
			}
		}
	}
}

// complete records the file as read whole, once every batch of it is committed.
func (r *fileRun) complete() error {
	opt, src, rep := r.opt, r.f.src, r.f.rep
	rep.SHA256 = hex.EncodeToString(r.f.hash.Sum(nil))
	if opt.Progress != nil {
		opt.Progress(src.Name, r.f.counter.n, r.f.counter.n)
	}
	if opt.writes() {
		if err := opt.Store.FinishFile(r.ctx, opt.RunID, src.Name, rep.SHA256, r.f.counter.n); err != nil {
			rep.State = report.StateFailed
			return err
		}
	}
	rep.State = report.StateComplete
	r.log.Info("end", "read", rep.Read, "inserted", rep.Inserted, "rejected", rep.Rejected, "still_rejected", rep.StillRejected,
		"ignored", rep.Ignored, "sha256", rep.SHA256)
	return nil
}

// newJob starts the next batch of the file, with room at once for as many rows as the
// batch before (rows): a file's batches are alike, and growing each by appends costs
// twice its size.
func (r *fileRun) newJob(rows int) *batchJob {
	r.seq++ // batches number from 1 in the journal, from 0 in the order they are counted
	job := &batchJob{seq: r.seq - 1, batch: newBatch(r.opt, r.f.src, r.seq), byCode: map[string]int{}}
	job.batch.Rows, job.pending = make([]store.Row, 0, rows), make([]pending, 0, rows)
	return job
}

// send hands the current batch to the loaders and starts a new one.
func (r *fileRun) send() error {
	rows := len(r.cur.batch.Rows)
	if err := r.settlePrev(); err != nil {
		return err
	}
	if err := r.pool.Send(r.ctx, r.cur); err != nil {
		return err
	}
	r.cur = r.newJob(rows)
	return nil
}

// row reads one record's fields into the chunk, to be judged with the others.
func (r *fileRun) row(rec *csvfile.Record) error {
	fields, from, err := r.f.back.fields(rec.Fields)
	var pe *csvfile.ParseError
	if errors.As(err, &pe) {
		r.chunk.lines = append(r.chunk.lines, chunkLine{rec: rec, from: from, malformed: pe})
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: line %d: %w", r.f.src.Name, rec.Line, err)
	}
	raw := r.chunk.hold(r.align(fields))
	l := chunkLine{rec: rec, fields: fields, from: from, row: len(r.chunk.rows)}
	if r.opt.Repair != nil {
		raw, l.corrections, l.ambiguous = r.opt.Repair(r.e, raw)
	}
	r.chunk.rows = append(r.chunk.rows, check.Input{Line: rec.Line, Raw: raw})
	r.chunk.lines = append(r.chunk.lines, l)
	return nil
}

// judgeChunk judges the rows of the chunk together (their stored keys, unique values
// and parents looked up at once) and puts every line of it, in the file's order, in the
// batches, sending each batch when it is full.
func (r *fileRun) judgeChunk() error {
	ch := &r.chunk
	defer ch.reset()
	r.pool.Collect()
	results, err := r.opt.Checker.CheckAll(r.ctx, r.e, ch.rows)
	if err != nil {
		return fmt.Errorf("%s: %w", r.f.src.Name, err)
	}
	for _, l := range ch.lines {
		switch {
		case l.unreadable != nil:
			r.unreadable(l.unreadable)
		case l.malformed != nil:
			r.readNotes(l.rec.Notes)
			r.malformed(l.rec.Line, l.malformed.Raw, l.malformed.Err, l.from, nil)
		default:
			r.readNotes(l.rec.Notes)
			r.lastLine = l.rec.Line
			r.corrected(l.corrections, l.rec.Line, l.from)
			res := results[l.row]
			explain(res.Violations, l.ambiguous)
			r.judged(res, l.rec, l.fields, l.from)
		}
		if r.cur.full(r.opt) {
			if err := r.send(); err != nil {
				return err
			}
		}
	}
	return nil
}

// chunk is the lines read and not judged yet: the rows to judge together, and every
// line (rows, and lines that could not be read) in the file's order. Its slices are
// made once and used again by every chunk of the file: raws holds the rows' raw values,
// which the checker reads and does not keep.
type chunk struct {
	rows  []check.Input
	lines []chunkLine
	raws  []string
}

// hold copies a row's raw values into the chunk's.
func (ch *chunk) hold(raw []string) []string {
	if len(ch.raws)+len(raw) > cap(ch.raws) {
		ch.raws = make([]string, 0, max(2*cap(ch.raws), 64*len(raw))) // the rows held so far keep the old one
	}
	n := len(ch.raws)
	ch.raws = append(ch.raws, raw...)
	return ch.raws[n:len(ch.raws):len(ch.raws)]
}

// reset empties the chunk once judged, keeping its slices for the next one.
func (ch *chunk) reset() {
	clear(ch.rows)
	clear(ch.lines)
	clear(ch.raws)
	ch.rows, ch.lines, ch.raws = ch.rows[:0], ch.lines[:0], ch.raws[:0]
}

// chunkLine is one line of a chunk: a row (its record, fields as read, origin, and
// what Repair did to it, judged as rows[row]), or a line that could not be read
// (unreadable) or whose _raw text could not be split again (malformed).
type chunkLine struct {
	rec         *csvfile.Record
	fields      []string
	from        origin
	row         int
	corrections []rules.Correction
	ambiguous   []rules.Violation
	unreadable  *csvfile.ParseError
	malformed   *csvfile.ParseError
}

// align puts a record's fields in the order of the entity's ("" for a column the file
// lacks).
func (r *fileRun) align(fields []string) []string {
	for i, idx := range r.f.mapping.Index {
		if idx >= 0 && idx < len(fields) {
			r.raw[i] = fields[idx]
		} else {
			r.raw[i] = ""
		}
	}
	return r.raw
}

// corrected logs and records the corrections Repair made to the row read at line.
func (r *fileRun) corrected(corrections []rules.Correction, line int, from origin) {
	for _, c := range corrections {
		attrs := append(from.at(line), "field", c.Column, "before", c.Before, "after", c.After, "rule", c.Rule)
		if r.begun {
			r.log.Info("corrected", attrs...)
		} else {
			r.early = append(r.early, attrs) // after the file's start, in settlePrev
		}
		r.cur.batch.Corrections = append(r.cur.batch.Corrections, store.Correction{Line: line, OriginFile: from.File,
			OriginLine: from.Line, Field: c.Column, Before: c.Before, After: c.After, Rule: c.Rule})
	}
}
