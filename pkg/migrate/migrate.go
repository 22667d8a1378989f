// Package migrate is the loading engine: it reads a domain's source files, judges every
// row with pkg/check, writes the accepted rows to MariaDB in whole batches, and accounts
// for every row (read = inserted + rejected + ignored). The domain is data handed to it,
// so clevity and distributech share this one engine.
package migrate

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
	"dmt/pkg/report"
	"dmt/pkg/rules"
	"dmt/pkg/store"
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
	Store     Store // nil: check only (dry run without a database)
	DryRun    bool  // check everything, write nothing to the database
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
	// (by SHA-256, needs a Store): a file an earlier run read whole without rejecting a row
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

// writes reports whether the run writes to the database: it has one and is no dry run.
func (o Options) writes() bool { return o.Store != nil && !o.DryRun }

func (w Words) orDefault() Words {
	if w.Inserted == "" {
		w.Inserted = "committed"
	}
	if w.Rejected == "" {
		w.Rejected = "rejected"
	}
	return w
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
	rewound bool // Open rewound the file and let its reader go: reopen before reading
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
// missing column or an empty file stops the run with nothing half-loaded. A regular
// file is then rewound and its reader let go, to be made again when the run reaches it
// (reopen): a run of 12,000 weekly files holds one reader's buffer (64 KiB), not one
// per file. A stream that cannot be rewound (stdin, a SQLite table) keeps its reader.
func Open(sources []*Source) ([]*opened, error) {
	var out []*opened
	for _, src := range sources {
		o, err := openSource(src)
		if err != nil {
			return nil, err
		}
		if f, ok := src.R.(*os.File); ok && src.Reread != nil {
			if _, err := f.Seek(0, io.SeekStart); err == nil {
				o.release()
				o.rewound = true
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// openSource reads and maps the header of src.
func openSource(src *Source) (*opened, error) {
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
	return &opened{src: src, r: r, mapping: m, hash: h, counter: cr, rep: rep, back: newReadBack(r.Header())}, nil
}

// reopen makes again the reader of a file Open rewound, from its start, keeping its
// report: its header is read and mapped again (the file may have changed since).
func (o *opened) reopen() error {
	if !o.rewound {
		return nil
	}
	again, err := openSource(o.src)
	if err != nil {
		return err
	}
	o.r, o.mapping, o.hash, o.counter, o.back = again.r, again.mapping, again.hash, again.counter, again.back
	o.rewound = false
	return nil
}

// release lets go of the reader and what reads through it (its buffer), once the file is
// read or until the run reaches it; its report stays.
func (o *opened) release() {
	o.r, o.hash, o.counter, o.back = nil, nil, nil, readBack{}
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
//
// A file's last batches commit while the next file is opened and its first chunk read
// and judged (the checker's window still holds the rows of those batches, so the
// next file's references to them are judged right); the next file's first batch waits
// until the previous file is settled. A file of the same entity waits for it before
// it is read at all: the extent of the table it reads first must include them.
func Run(ctx context.Context, opt Options, files []*opened) ([]*report.File, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = store.DefaultBatch
	}
	var reps []*report.File
	var prev *fileRun // read whole, its last batches maybe still committing
	for _, f := range files {
		reps = append(reps, f.rep)
		if prev != nil && prev.e == f.src.Entity {
			if err := prev.settle(); err != nil {
				return reps[:len(reps)-1], err
			}
		}
		err := f.reopen()
		var r *fileRun
		if err == nil {
			r, err = readFile(ctx, opt, f, prev)
		}
		if prev != nil { // settled by r's first batch; else here, an error kept first
			err = withLater(err, prev.settle())
		}
		if r != nil {
			prev = r
		} else {
			f.release()
		}
		if err != nil {
			if r != nil {
				err = withLater(err, r.settle())
			}
			markStopped(ctx, f)
			return reps, err
		}
	}
	if prev != nil {
		return reps, prev.settle()
	}
	return reps, nil
}

// markStopped gives a file stopped before its first batch its state.
func markStopped(ctx context.Context, f *opened) {
	if f.rep.State == "" {
		f.rep.State = report.StateFailed
		if ctx.Err() != nil {
			f.rep.State = report.StateInterrupted
		}
	}
}
