package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"dmt/pkg/csvfile"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// pending is what an accepted row of the batch (its Rows hold the row) needs should
// the database refuse it: its fields as read, to write it to the rejects.
type pending struct {
	line   int
	fields []string
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

// batchJob is a batch being filled by the reader, then written by a loader, with what
// the accountant needs to say of it once it is committed.
type batchJob struct {
	seq     int
	batch   *store.Batch
	pending []pending
	notes   []note
	byCode  map[string]int
	still   int
	// unjudged counts the rows whose references could not be judged (no database).
	unjudged int
	loaded   lineSpan // rows ignored as ALREADY_LOADED, logged as one line per file
}

// read counts a line of the file in the batch's progress.
func (j *batchJob) read(line int) {
	p := &j.batch.Progress
	p.Read++
	p.Line = line
	if p.First == 0 {
		p.First = line
	}
}

// pendingAt returns what the batch keeps of its accepted row read at line, or nil.
func (j *batchJob) pendingAt(line int) *pending {
	for i := range j.pending {
		if j.pending[i].line == line {
			return &j.pending[i]
		}
	}
	return nil
}

// full reports whether the batch is as large as opt lets it grow; on a Galera cluster
// a batch also stays under the write-set limits. It also ends after twice the batch
// size of lines read, rows to load or not: until a batch is committed the checker holds
// its chunks, and lines ignored (a file already loaded) would otherwise make one batch
// of the whole file.
func (j *batchJob) full(opt Options) bool {
	b := j.batch
	return len(b.Rows)+len(b.Updates) >= opt.BatchSize || len(b.Rejections) >= opt.BatchSize ||
		b.Progress.Read >= 2*opt.BatchSize || opt.Store != nil && opt.Store.BatchFull(b)
}

// batchDone is what became of a batch a loader wrote.
type batchDone struct {
	job     *batchJob
	refused []store.Refusal
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
	return ok && store.SameCodes(stored, codes)
}

// lookBack hashes a source that can be read again and finds the latest earlier complete
// run of the same tool over the same content. It returns that run's file, or ok false.
func lookBack(ctx context.Context, opt Options, src *Source) (sha string, f store.CompleteFile, ok bool, err error) {
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
	f, ok, err = opt.Store.LastComplete(ctx, opt.Tool, opt.Checker.Domain().Name, sha, opt.RunID)
	return sha, f, ok, err
}

// mendedWhat says, for the report, what the reader did to the lines it noted.
var mendedWhat = map[string]string{
	string(rules.MixedEncoding): "decoded in another encoding than the file's",
	string(rules.StrayBOM):      "starting with a byte-order mark, removed",
}

func newBatch(opt Options, src *Source, seq int) *store.Batch {
	return &store.Batch{RunID: opt.RunID, Tool: opt.Tool, File: src.Name, Seq: seq, Entity: src.Entity, Date: opt.Checker.Today().String()}
}

func refusedLine(refused []store.Refusal, line int) bool {
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
