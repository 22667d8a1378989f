// Package migrate is the loading engine: it reads a domain's source files, judges every
// row with pkg/check, writes the accepted rows to MariaDB in whole batches, and accounts
// for every row (read = inserted + rejected + ignored). The domain is data handed to it,
// so clevity and distributech share this one engine.
package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/report"
	"dmt/pkg/rules"
)

// Source is one input file of one entity. Name is what logs, reports and lineage call it
// (the base name of the file, or StdinName).
type Source struct {
	Name   string
	Entity *domain.Entity
	R      io.Reader
	// Reread opens the same content again from its start (a regular file, a SQLite
	// table), so that its SHA-256 is known before it is loaded and an unchanged file can
	// be skipped; nil for stdin, which can be read only once.
	Reread func() (io.ReadCloser, error)
	// Dialect is the one Open detected: its rejected rows are written in it.
	Dialect csvfile.Dialect
}

// Options configure a run.
type Options struct {
	RunID     string
	Tool      string
	DB        *mariadb.DB // nil: check only (dry run without a database)
	DryRun    bool        // check everything, write nothing to the database
	Checker   *check.Checker
	Log       *slog.Logger
	Rejects   Rejects
	BatchSize int
	// Progress, when set, is told how many bytes of the current file were read.
	Progress func(file string, read, size int64)
	// Size returns the size of a source in bytes when known, for progress.
	Size func(src *Source) int64
	// PauseAfterBatch makes tests able to kill a run between batches, not by luck.
	PauseAfterBatch time.Duration
	// BeforeBatch, when set, is called before each batch is written; an error stops the
	// run there, as a database error would (a lost run lease, a log that cannot be
	// written).
	BeforeBatch func() error
	// Loaders is how many batches are written at once (default 2).
	Loaders int
	// Repair, when set, corrects a row's values before it is checked (reprise).
	Repair func(e *domain.Entity, raw []string) ([]string, []rules.Correction, []rules.Violation)
	// Words name the outcomes in the log; migration's by default.
	Words Words
	// Incremental judges each file against the journal's earlier runs of the same tool
	// (by SHA-256, needs DB): a file an earlier run read whole without rejecting a row
	// is skipped, and a row rejected again with the same codes at the same line as in
	// the latest earlier complete run is counted as still rejected, not as new.
	Incremental bool
}

// Words are the log's names of a row's outcomes. EachRow logs every inserted row, not
// only each committed batch, and every row already loaded, not one summary per file:
// reprise's rows are few and each one matters.
type Words struct {
	Inserted, Rejected string
	EachRow            bool
}

func (w Words) orDefault() Words {
	if w.Inserted == "" {
		w.Inserted = "committed"
	}
	if w.Rejected == "" {
		w.Rejected = "rejected"
	}
	return w
}

// Preload feeds the checker with every row already in the database, so that the run
// recognises rows already loaded, conflicts and references to earlier runs.
func Preload(ctx context.Context, db *mariadb.DB, c *check.Checker) error {
	for _, e := range c.Domain().Entities {
		if err := db.ScanEntity(ctx, e, func(vals []string) error {
			c.Preload(e, vals)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// opened is a source whose header has been read and mapped.
type opened struct {
	src     *Source
	r       *csvfile.Reader
	mapping csvfile.Mapping
	hash    hash.Hash
	counter *countingReader
	rep     *report.File
	back    readBack
}

// readBack is how a file the toolkit wrote to be fixed and fed back (rejected rows,
// quarantine) is read: it carries _line or _errors. Its values lose the one leading quote
// the writer's formula protection added (csvfile.Unneutralize), its rows keep the file
// and line they first came from (_file, _line), and a row it holds as _raw text with
// empty data columns is parsed from that text again.
type readBack struct {
	on              bool
	file, line, raw int   // column indexes, -1 when absent
	data            []int // the data columns, in header order
}

func newReadBack(header []string) readBack {
	b := readBack{file: -1, line: -1, raw: -1}
	errs := -1
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(h)) {
		case colFile:
			b.file = i
		case colLine:
			b.line = i
		case colErrors:
			errs = i
		case colRaw:
			b.raw = i
		default:
			if !IsContextColumn(h) {
				b.data = append(b.data, i)
			}
		}
	}
	b.on = b.line >= 0 || errs >= 0
	return b
}

// origin is the file and line a row first came from, when it was fed back from a file
// the toolkit wrote; the zero value for a row read from its first file.
type origin struct {
	File string
	Line int
}

// at is the row's position for a log line: the line read, and for a row fed back from
// a file that names them, the first file and line it came from.
func (o origin) at(line int) []any {
	if o.Line == 0 {
		return []any{"line", line}
	}
	return []any{"line", line, "origin_file", o.File, "origin_line", o.Line}
}

// or is o, or the given file and line for a row read from its first file.
func (o origin) or(file string, line int) origin {
	if o.Line == 0 {
		return origin{File: file, Line: line}
	}
	return o
}

// fields returns the record's fields as the file means them (unneutralised) and where
// the row first came from. When the row is held as _raw text with empty data columns,
// the text is parsed again: its fields are returned in the data columns, or the parse
// error when it still is no record.
func (b readBack) fields(rec []string) ([]string, origin, error) {
	if !b.on {
		return rec, origin{}, nil
	}
	f := make([]string, len(rec))
	for i, v := range rec {
		f[i] = csvfile.Unneutralize(v)
	}
	var o origin
	if b.line >= 0 && b.line < len(f) {
		if n, err := strconv.Atoi(strings.TrimSpace(f[b.line])); err == nil && n > 0 {
			o.Line = n
			if b.file >= 0 && b.file < len(f) {
				o.File = f[b.file]
			}
		}
	}
	if b.raw < 0 || b.raw >= len(f) || f[b.raw] == "" {
		return f, o, nil
	}
	for _, i := range b.data {
		if i < len(f) && f[i] != "" {
			return f, o, nil // fixed in its columns: _raw is only a reminder
		}
	}
	split, err := csvfile.SplitRaw(f[b.raw], len(b.data))
	if err != nil {
		return nil, o, err
	}
	for k, i := range b.data {
		if i < len(f) {
			f[i] = split[k]
		}
	}
	f[b.raw] = ""
	return f, o, nil
}

// Open reads and maps the header of every source before anything is loaded, so that a
// missing column or an empty file stops the run with nothing half-loaded.
func Open(sources []*Source) ([]*opened, error) {
	var out []*opened
	for _, src := range sources {
		h := sha256.New()
		cr := &countingReader{r: io.TeeReader(src.R, h)}
		r, err := csvfile.NewReader(cr)
		if err != nil {
			if errors.Is(err, csvfile.ErrEmpty) {
				return nil, fmt.Errorf("%s: empty file (no header)", src.Name)
			}
			return nil, fmt.Errorf("%s: %w", src.Name, err)
		}
		names := make([]string, len(src.Entity.Fields))
		for i, f := range src.Entity.Fields {
			names[i] = f.Name
		}
		m, err := csvfile.MapHeader(r.Header(), names, src.Entity.Required())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.Name, err)
		}
		src.Dialect = r.Dialect()
		dialect := r.Dialect().String()
		if src.Entity.SQLiteTable != "" && strings.HasSuffix(src.Name, ":"+src.Entity.SQLiteTable) {
			dialect = "SQLite table" // read through the driver: no encoding, separator or line ends
		}
		rep := &report.File{File: src.Name, Entity: src.Entity.Name, Dialect: dialect, ByCode: map[string]int{}}
		for _, u := range m.Unknown {
			if IsContextColumn(u) {
				continue
			}
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("unknown column %q ignored", u))
		}
		out = append(out, &opened{src: src, r: r, mapping: m, hash: h, counter: cr, rep: rep, back: newReadBack(r.Header())})
	}
	return out, nil
}

// IsContextColumn reports whether a header names a column the toolkit added to a file it
// wrote (_file, _line, _errors, _raw): read back as context, never as data.
func IsContextColumn(name string) bool { return strings.HasPrefix(strings.TrimSpace(name), "_") }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Run loads the opened sources in order and returns their accounting. A data problem
// never stops it; a database or I/O error does, after the batches already committed.
func Run(ctx context.Context, opt Options, files []*opened) ([]*report.File, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 20000
	}
	var reps []*report.File
	for _, f := range files {
		reps = append(reps, f.rep)
		if err := runFile(ctx, opt, f); err != nil {
			if f.rep.State == "" { // stopped before its first batch
				f.rep.State = report.StateFailed
				if ctx.Err() != nil {
					f.rep.State = report.StateInterrupted
				}
			}
			return reps, err
		}
	}
	return reps, nil
}

// pending is an accepted row waiting for its batch, with what is needed to reject it
// should the database refuse it.
type pending struct {
	row    mariadb.Row
	fields []string
	origin origin
}

// note is what a judged row has to say once its batch is committed: a rejected row goes
// to the rejects file and the log, an ignored row to the log. Saying it earlier would
// tell of rows an interruption leaves in no count.
type note struct {
	line     int
	reject   bool
	code     string
	detail   string
	fields   []string            // the rejected row as read; nil when it could not be split
	raw      string              // its text, for a row that could not be split
	cut      *csvfile.ParseError // a line too long to be held: raw is its start only
	origin   origin              // where a row fed back first came from
	still    bool                // rejected the same way by the latest earlier run of the file
	ignoreAs string              // log action of an ignored row, or of a line the reader mended
	warn     bool                // a line the reader mended (csvfile.Note): logged as a warning, counted in the report
}

// lineSpan counts rows of one kind and the first and last of their lines, for a log
// line that summarises them.
type lineSpan struct{ n, first, last int }

func (s *lineSpan) add(line int) {
	if s.n == 0 || line < s.first {
		s.first = line
	}
	if line > s.last {
		s.last = line
	}
	s.n++
}

func (s *lineSpan) merge(o lineSpan) {
	if o.n == 0 {
		return
	}
	if s.n == 0 || o.first < s.first {
		s.first = o.first
	}
	if o.last > s.last {
		s.last = o.last
	}
	s.n += o.n
}

type batchJob struct {
	seq     int
	batch   *mariadb.Batch
	pending []pending
	notes   []note
	byCode  map[string]int
	still   int
	loaded  lineSpan // rows ignored as ALREADY_LOADED, logged as one line per file
}

type batchDone struct {
	job     *batchJob
	refused []mariadb.Refusal
	err     error
}

// earlier is what the latest earlier complete run of the same content said of a file.
type earlier struct {
	run      string
	rejected map[int]string // codes by line
}

// still reports whether line was rejected with the same codes by the earlier run.
func (e *earlier) still(line int, codes string) bool {
	if e == nil {
		return false
	}
	stored, ok := e.rejected[line]
	return ok && mariadb.SameCodes(stored, codes)
}

// lookBack hashes a source that can be read again and finds the latest earlier complete
// run of the same tool over the same content. It returns that run's file, or ok false.
func lookBack(ctx context.Context, opt Options, src *Source) (sha string, f mariadb.CompleteFile, ok bool, err error) {
	r, err := src.Reread()
	if err != nil {
		return "", f, false, fmt.Errorf("%s: %w", src.Name, err)
	}
	h := sha256.New()
	_, err = io.Copy(h, r)
	r.Close()
	if err != nil {
		return "", f, false, fmt.Errorf("%s: %w", src.Name, err)
	}
	sha = hex.EncodeToString(h.Sum(nil))
	f, ok, err = opt.DB.LastComplete(ctx, opt.Tool, opt.Checker.Domain().Name, sha, opt.RunID)
	return sha, f, ok, err
}

func runFile(ctx context.Context, opt Options, f *opened) error {
	src, e, rep := f.src, f.src.Entity, f.rep
	words := opt.Words.orDefault()
	opt.Checker.SetSource(src.Name)
	log := opt.Log.With("file", src.Name)

	var before *earlier
	if opt.Incremental && opt.DB != nil && src.Reread != nil {
		sha, last, ok, err := lookBack(ctx, opt, src)
		switch {
		case err != nil && opt.DryRun:
			// A dry run on a database without the journal: nothing was loaded before.
		case err != nil:
			return err
		case ok && last.Rejected == 0:
			rep.State, rep.SHA256, rep.UnchangedSince = report.StateSkipped, sha, last.RunID
			log.Info("skipped", "entity", e.Name, "sha256", sha,
				"detail", "unchanged since run "+last.RunID+", which loaded all its rows; not read again")
			return nil
		case ok:
			rejected, err := opt.DB.RejectedLines(ctx, last.RunID, last.File)
			if err != nil {
				return err
			}
			before = &earlier{run: last.RunID, rejected: rejected}
			rep.StillRejectedSince = last.RunID
		}
	}

	log.Info("start", "entity", e.Name, "dialect", rep.Dialect)
	for _, w := range rep.Warnings {
		log.Warn("column", "code", rules.UnknownColumn, "detail", w)
	}
	if opt.DB != nil && !opt.DryRun {
		if err := opt.DB.AddFile(ctx, opt.RunID, src.Name, e.Name); err != nil {
			return err
		}
	}

	// Loaders run beside the reader, each on its own connection: batches are checked
	// while earlier ones are written, two at a time, so the server works on both cores
	// while this process checks. Batches of one file do not depend on each other.
	jobs := make(chan *batchJob, 1)
	done := make(chan batchDone, 4)
	loaders := opt.Loaders
	if loaders <= 0 {
		loaders = 2
	}
	var wg sync.WaitGroup
	for range loaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				if opt.BeforeBatch != nil {
					if err := opt.BeforeBatch(); err != nil {
						done <- batchDone{job: job, err: err}
						for range jobs {
						}
						return
					}
				}
				if opt.DB == nil || opt.DryRun {
					done <- batchDone{job: job}
					continue
				}
				refused, err := opt.DB.LoadBatch(ctx, job.batch)
				done <- batchDone{job: job, refused: refused, err: err}
				if err != nil {
					for range jobs {
					}
					return
				}
				if opt.PauseAfterBatch > 0 {
					time.Sleep(opt.PauseAfterBatch)
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	// The report counts a batch when it is committed, in the order the batches were
	// read (so the rejects file and the log keep the file's order): the counts are then
	// those the journal's file row holds, whatever stops the run.
	var loadErr error
	var loaded lineSpan
	mended := map[string]int{} // lines the reader mended, by code, in committed batches
	committed := map[int]batchDone{}
	next := 0
	account := func(d batchDone) {
		job, b := d.job, d.job.batch
		p := b.Progress
		rep.Read += p.Read
		rep.Inserted += p.Inserted
		rep.Rejected += p.Rejected
		rep.Ignored += p.Ignored
		rep.Updated += p.Updated
		rep.StillRejected += job.still
		for code, n := range job.byCode {
			rep.ByCode[code] += n
		}
		rep.CommittedLine = max(rep.CommittedLine, p.Line)
		loaded.merge(job.loaded)
		for _, n := range job.notes {
			at := n.origin.at(n.line)
			switch {
			case n.warn:
				log.Warn(n.ignoreAs, append(at, "code", n.code, "detail", n.detail)...)
				mended[n.code]++
				continue
			case !n.reject:
				log.Info(n.ignoreAs, append(at, "code", n.code, "detail", n.detail)...)
				continue
			case n.still:
				log.Warn("still_rejected", append(at, "code", n.code, "since", before.run, "detail", n.detail)...)
			default:
				log.Warn(words.Rejected, append(at, "code", n.code, "detail", n.detail)...)
			}
			o := n.origin.or(src.Name, n.line)
			if err := opt.Rejects.Reject(src, Rejected{Header: f.r.Header(), Fields: n.fields, Raw: n.raw, Cut: n.cut, File: o.File, Line: o.Line,
				Errors: n.detail}); err != nil && loadErr == nil {
				loadErr = err
			}
		}
		if b.Recovered != "" {
			log.Warn("reconnected", "line", b.Progress.Line, "first_line", b.Progress.First, "detail", b.Recovered)
		}
		for _, r := range d.refused {
			rep.Inserted--
			rep.Rejected++
			rep.Count(string(rules.DBRefused))
			action := words.Rejected
			if before.still(r.Row.Line, string(rules.DBRefused)) {
				rep.StillRejected++
				action = "still_rejected"
			}
			for _, p := range job.pending {
				if p.row.Line == r.Row.Line {
					opt.Checker.Forget(e, p.row.Values, p.row.Line)
					o := p.origin.or(src.Name, p.row.Line)
					if err := opt.Rejects.Reject(src, Rejected{Header: f.r.Header(), Fields: p.fields, File: o.File, Line: o.Line,
						Errors: string(rules.DBRefused) + ": " + r.Message}); err != nil && loadErr == nil {
						loadErr = err
					}
					break
				}
			}
			log.Warn(action, append(origin{File: r.Row.OriginFile, Line: r.Row.OriginLine}.at(r.Row.Line), "code", rules.DBRefused, "detail", r.Message)...)
		}
		for _, u := range b.Updates {
			old := b.Old[u.Line]
			var changes []string
			for i, f := range e.Fields {
				if i < len(old) && old[i] != u.Values[i] {
					changes = append(changes, fmt.Sprintf("%s %q -> %q", f.Name, old[i], u.Values[i]))
				}
			}
			attrs := append(origin{File: u.OriginFile, Line: u.OriginLine}.at(u.Line), e.KeyName(), e.KeyOf(u.Values), "detail", strings.Join(changes, "; "))
			if e.History != "" {
				attrs = append(attrs, "history", e.History)
			}
			log.Info("updated", attrs...)
		}
		if words.EachRow {
			for _, p := range job.pending {
				if !refusedLine(d.refused, p.row.Line) {
					log.Info(words.Inserted, append(p.origin.at(p.row.Line), e.KeyName(), e.KeyOf(p.row.Values))...)
				}
			}
		}
		if len(b.Rows) > 0 || opt.DB != nil && !opt.DryRun {
			first, last := 0, b.Progress.Line
			if len(b.Rows) > 0 {
				first = b.Rows[0].Line
			}
			log.Info(words.Inserted, "line", last, "rows", len(b.Rows)-len(d.refused), "first_line", first, "refused", len(d.refused))
		}
	}
	handle := func(d batchDone) {
		if d.err != nil {
			if loadErr == nil {
				loadErr = d.err
			}
			return
		}
		committed[d.job.seq] = d
		for {
			d, ok := committed[next]
			if !ok {
				return
			}
			delete(committed, next)
			next++
			account(d)
		}
	}

	seq := 0
	newJob := func() *batchJob {
		seq++ // batches number from 1 in the journal, from 0 in the order they are counted
		return &batchJob{seq: seq - 1, batch: newBatch(opt, src, seq), byCode: map[string]int{}}
	}
	cur := newJob()
	send := func() error {
		for {
			select {
			case jobs <- cur:
				cur = newJob()
				return nil
			case d := <-done:
				handle(d)
				if loadErr != nil {
					return loadErr
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	finish := func() error {
		close(jobs)
		for d := range done {
			handle(d)
		}
		// Batches committed after one that failed are counted too: they are in the
		// database and in the journal.
		for _, s := range slices.Sorted(maps.Keys(committed)) {
			account(committed[s])
		}
		for _, code := range slices.Sorted(maps.Keys(mended)) {
			lines := "lines"
			if mended[code] == 1 {
				lines = "line"
			}
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d %s %s (%s, see the log)", mended[code], lines, mendedWhat[code], code))
		}
		if loaded.n > 0 {
			log.Info("ignored", "code", rules.AlreadyLoaded, "rows", loaded.n, "first_line", loaded.first, "last_line", loaded.last,
				"detail", "identical rows already in the database, summarised: one line per file")
		}
		return loadErr
	}
	stopped := func(err error) error {
		rep.State = report.StateFailed
		if ctx.Err() != nil {
			rep.State = report.StateInterrupted
		}
		if ferr := finish(); err == nil {
			err = ferr
		}
		return err
	}

	size := int64(-1)
	if opt.Size != nil {
		size = opt.Size(src)
	}
	fieldIdx := f.mapping.Index
	raw := make([]string, len(e.Fields))
	lastLine := 1
	// malformed rejects a row that could not be split into the header's columns: it is
	// kept as its text, to be split again when fed back.
	// A line too long to be held (cut) has only its start in text: the rejected-rows
	// file reads it whole again, and raw_bytes records its whole size.
	malformed := func(line int, text string, cause error, o origin, cut *csvfile.ParseError) {
		code := string(rules.MalformedRow)
		lastLine = line
		detail := cause.Error()
		still := before.still(line, code)
		if still {
			cur.still++
		}
		cur.byCode[code]++
		b := cur.batch
		rej := mariadb.Rejection{Line: line, Codes: code, Detail: detail, Raw: text}
		if cut != nil {
			rej.RawBytes = int(cut.RawBytes)
		}
		b.Rejections = append(b.Rejections, rej)
		b.Progress.Read++
		b.Progress.Rejected++
		b.Progress.Line = line
		if b.Progress.First == 0 {
			b.Progress.First = line
		}
		cur.notes = append(cur.notes, note{line: line, reject: true, code: code, detail: code + ": " + detail, raw: text, cut: cut, origin: o, still: still})
	}
	// readNotes logs what the reader did to a record's lines to read them (decoded one
	// in the other encoding, removed a BOM): nothing is mended silently.
	readNotes := func(ns []csvfile.Note) {
		for _, n := range ns {
			action := "decoded"
			if n.Code == rules.StrayBOM {
				action = "stripped"
			}
			cur.notes = append(cur.notes, note{line: n.Line, warn: true, ignoreAs: action, code: string(n.Code), detail: n.Detail})
		}
	}
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return stopped(err)
			}
			if opt.Progress != nil {
				opt.Progress(src.Name, f.counter.n, size)
			}
		}
		rec, err := f.r.Read()
		if err == io.EOF {
			break
		}
		var pe *csvfile.ParseError
		if errors.As(err, &pe) {
			readNotes(pe.Notes)
			var cut *csvfile.ParseError
			if pe.Truncated {
				cut = pe
			}
			malformed(pe.Line, pe.Raw, pe.Err, origin{}, cut)
			continue
		}
		if err != nil {
			return stopped(fmt.Errorf("%s: %w", src.Name, err))
		}
		readNotes(rec.Notes)
		fields, from, err := f.back.fields(rec.Fields)
		if errors.As(err, &pe) {
			malformed(rec.Line, pe.Raw, pe.Err, from, nil)
			continue
		}
		lastLine = rec.Line
		for i, idx := range fieldIdx {
			if idx >= 0 && idx < len(fields) {
				raw[i] = fields[idx]
			} else {
				raw[i] = ""
			}
		}
		row := raw
		var ambiguous []rules.Violation
		if opt.Repair != nil {
			var corrections []rules.Correction
			row, corrections, ambiguous = opt.Repair(e, raw)
			for _, c := range corrections {
				log.Info("corrected", append(from.at(rec.Line), "field", c.Column, "before", c.Before, "after", c.After, "rule", c.Rule)...)
				cur.batch.Corrections = append(cur.batch.Corrections, mariadb.Correction{Line: rec.Line, OriginFile: from.File,
					OriginLine: from.Line, Field: c.Column, Before: c.Before, After: c.After, Rule: c.Rule})
			}
		}
		res := opt.Checker.Check(e, rec.Line, row)
		explain(res.Violations, ambiguous)
		job := cur
		b := job.batch
		b.Progress.Read++
		b.Progress.Line = rec.Line
		if b.Progress.First == 0 {
			b.Progress.First = rec.Line
		}
		switch res.Outcome {
		case check.Accept:
			b.Progress.Inserted++
			row := mariadb.Row{Values: res.Canonical, Line: rec.Line, OriginFile: from.File, OriginLine: from.Line}
			b.Rows = append(b.Rows, row)
			job.pending = append(job.pending, pending{row: row, fields: fields, origin: from})
		case check.Replace:
			b.Progress.Updated++
			b.Updates = append(b.Updates, mariadb.Row{Values: res.Canonical, Line: rec.Line, OriginFile: from.File, OriginLine: from.Line})
		case check.Ignore:
			b.Progress.Ignored++
			for _, c := range res.Codes() {
				job.byCode[string(c)]++
			}
			// Rows already loaded are summarised (a weekly rerun has thousands), unless
			// every row is logged (reprise's few rows each matter).
			if v := res.Violations[0]; v.Code == rules.AlreadyLoaded && !words.EachRow {
				job.loaded.add(rec.Line)
			} else {
				job.notes = append(job.notes, note{line: rec.Line, ignoreAs: "ignored", code: string(v.Code), detail: v.Detail, origin: from})
			}
		case check.Reject:
			b.Progress.Rejected++
			codes := res.Codes()
			codeText := make([]string, len(codes))
			for i, c := range codes {
				job.byCode[string(c)]++
				codeText[i] = string(c)
			}
			joined := strings.Join(codeText, ",")
			still := before.still(rec.Line, joined)
			if still {
				job.still++
			}
			errs := violationsText(res.Violations)
			b.Rejections = append(b.Rejections, mariadb.Rejection{Line: rec.Line, Codes: joined, Detail: errs, Raw: rec.Raw})
			job.notes = append(job.notes, note{line: rec.Line, reject: true, code: joined, detail: errs, fields: fields, origin: from, still: still})
		}
		// On a Galera cluster a batch also stays under the write-set limits.
		if len(b.Rows)+len(b.Updates) >= opt.BatchSize || len(b.Rejections) >= opt.BatchSize || opt.DB.BatchFull(b) {
			if err := send(); err != nil {
				return stopped(err)
			}
		}
	}
	cur.batch.Progress.Line = lastLine
	if err := send(); err != nil {
		return stopped(err)
	}
	if err := finish(); err != nil {
		rep.State = report.StateFailed
		if ctx.Err() != nil {
			rep.State = report.StateInterrupted
		}
		return err
	}
	rep.SHA256 = hex.EncodeToString(f.hash.Sum(nil))
	if opt.Progress != nil {
		opt.Progress(src.Name, f.counter.n, f.counter.n)
	}
	if opt.DB != nil && !opt.DryRun {
		if err := opt.DB.FinishFile(ctx, opt.RunID, src.Name, rep.SHA256, f.counter.n); err != nil {
			rep.State = report.StateFailed
			return err
		}
	}
	rep.State = report.StateComplete
	log.Info("end", "read", rep.Read, "inserted", rep.Inserted, "rejected", rep.Rejected, "still_rejected", rep.StillRejected,
		"ignored", rep.Ignored, "sha256", rep.SHA256)
	return nil
}

// mendedWhat says, for the report, what the reader did to the lines it noted.
var mendedWhat = map[string]string{
	string(rules.MixedEncoding): "decoded in another encoding than the file's",
	string(rules.StrayBOM):      "starting with a byte-order mark, removed",
}

func newBatch(opt Options, src *Source, seq int) *mariadb.Batch {
	return &mariadb.Batch{RunID: opt.RunID, Tool: opt.Tool, File: src.Name, Seq: seq, Entity: src.Entity, Date: opt.Checker.Today().String()}
}

func refusedLine(refused []mariadb.Refusal, line int) bool {
	for _, r := range refused {
		if r.Row.Line == line {
			return true
		}
	}
	return false
}

// explain replaces the detail of a violation by why it was not repaired, when a repair
// found several readings.
func explain(vs, ambiguous []rules.Violation) {
	for _, a := range ambiguous {
		for i := range vs {
			if vs[i].Column == a.Column && vs[i].Code == a.Code {
				vs[i].Detail = a.Detail
			}
		}
	}
}

// violationsText joins violations as "CODE column: detail; ..." for _errors and logs.
func violationsText(vs []rules.Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%s %s: %s", v.Code, v.Column, v.Detail)
	}
	return strings.Join(parts, "; ")
}
