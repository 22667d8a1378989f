package migrate

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"dmt/pkg/report"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// accountant turns the batches of a file that were committed into the file's report,
// its log lines and its rejected rows. It counts a batch when it is committed, in the
// order the batches were read (so that the rejects file and the log keep the file's
// order): the counts are then those the journal's file row holds, whatever stops the
// run. It keeps the first error, of a batch or of a rejected row's writing.
type accountant struct {
	ctx     context.Context
	opt     Options
	f       *opened
	log     *slog.Logger
	words   Words
	before  *earlier
	err     error
	loaded  lineSpan
	mended  map[string]int    // lines the reader mended, by code, in committed batches
	waiting map[int]batchDone // committed batches not counted yet, by seq
	next    int               // the seq of the next batch to count
}

func newAccountant(r *fileRun) *accountant {
	return &accountant{ctx: r.ctx, opt: r.opt, f: r.f, log: r.log, words: r.words, before: r.before,
		mended: map[string]int{}, waiting: map[int]batchDone{}}
}

// fail keeps err when it is the first.
func (a *accountant) fail(err error) {
	if a.err == nil {
		a.err = err
	}
}

// take receives what became of a batch, counts every committed batch whose turn has
// come, and returns the first error so far.
func (a *accountant) take(d batchDone) error {
	if d.err != nil {
		a.fail(d.err)
		return a.err
	}
	a.waiting[d.job.seq] = d
	for {
		d, ok := a.waiting[a.next]
		if !ok {
			return a.err
		}
		delete(a.waiting, a.next)
		a.next++
		a.account(d)
	}
}

// finish counts the batches committed after one that failed (they are in the
// database and in the journal), adds the report's warnings and the log's summary of
// rows already loaded, and returns the first error.
func (a *accountant) finish() error {
	for _, s := range slices.Sorted(maps.Keys(a.waiting)) {
		a.account(a.waiting[s])
	}
	rep := a.f.rep
	for _, code := range slices.Sorted(maps.Keys(a.mended)) {
		lines := "lines"
		if a.mended[code] == 1 {
			lines = "line"
		}
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("%d %s %s (%s, see the log)", a.mended[code], lines, mendedWhat[code], code))
	}
	if rep.Unjudged > 0 {
		a.log.Warn("unjudged", "rows", rep.Unjudged, "detail", report.UnjudgedNote(rep.Unjudged))
	}
	if a.loaded.n > 0 {
		a.log.Info("ignored", "code", rules.AlreadyLoaded, "rows", a.loaded.n, "first_line", a.loaded.first, "last_line", a.loaded.last,
			"detail", "identical rows already in the database, summarised: one line per file")
	}
	return a.err
}

// account counts one committed batch and says what its rows became.
func (a *accountant) account(d batchDone) {
	a.count(d.job)
	for _, n := range d.job.notes {
		a.note(n)
	}
	b := d.job.batch
	if b.Recovered != "" {
		a.log.Warn("reconnected", "line", b.Progress.Line, "first_line", b.Progress.First, "detail", b.Recovered)
	}
	for _, r := range d.refused {
		a.refused(d.job, r)
	}
	for _, u := range b.Updates {
		a.updated(b, u)
	}
	a.inserted(d)
	// The database answers for the batch's rows from now on: the checker lets them go.
	if err := a.opt.Checker.Committed(a.ctx, a.f.src.Name, b.Progress.Line); err != nil {
		a.fail(err)
	}
}

// count adds the batch's progress to the file's report.
func (a *accountant) count(job *batchJob) {
	rep, p := a.f.rep, job.batch.Progress
	rep.Read += p.Read
	rep.Inserted += p.Inserted
	rep.Rejected += p.Rejected
	rep.Ignored += p.Ignored
	rep.Updated += p.Updated
	rep.StillRejected += job.still
	rep.Unjudged += job.unjudged
	for code, n := range job.byCode {
		rep.ByCode[code] += n
	}
	rep.CommittedLine = max(rep.CommittedLine, p.Line)
	a.loaded.merge(job.loaded)
}

// note logs what a judged row had to say and writes a rejected row to the rejects.
func (a *accountant) note(n note) {
	at := n.origin.at(n.line)
	switch {
	case n.warn:
		a.log.Warn(n.ignoreAs, append(at, "code", n.code, "detail", n.detail)...)
		a.mended[n.code]++
		return
	case !n.reject:
		a.log.Info(n.ignoreAs, append(at, "code", n.code, "detail", n.detail)...)
		return
	case n.still:
		a.log.Warn("still_rejected", append(at, "code", n.code, "since", a.before.run, "detail", n.detail)...)
	default:
		a.log.Warn(a.words.Rejected, append(at, "code", n.code, "detail", n.detail)...)
	}
	o := n.origin.or(a.f.src.Name, n.line)
	a.reject(Rejected{Fields: n.fields, Raw: n.raw, Cut: n.cut, File: o.File, Line: o.Line, Errors: n.detail})
}

// reject writes a rejected row of the file to the rejects, keeping the first error.
func (a *accountant) reject(r Rejected) {
	r.Header = a.f.r.Header()
	if err := a.opt.Rejects.Reject(a.f.src, r); err != nil {
		a.fail(err)
	}
}

// refused counts an accepted row the database refused as rejected, withdraws it from
// the checker (its children are orphans), and writes it to the rejects.
func (a *accountant) refused(job *batchJob, r store.Refusal) {
	rep := a.f.rep
	rep.Inserted--
	if r.Loaded {
		// Stored identical by another run since the checker looked: already loaded, and
		// still there for its children.
		rep.Ignored++
		rep.Count(string(rules.AlreadyLoaded))
		if a.words.EachRow {
			a.log.Info("ignored", append(origin{File: r.Row.OriginFile, Line: r.Row.OriginLine}.at(r.Row.Line), "code", rules.AlreadyLoaded, "detail", r.Message)...)
		} else {
			a.loaded.add(r.Row.Line)
		}
		return
	}
	rep.Rejected++
	rep.Count(string(rules.DBRefused))
	action := a.words.Rejected
	if a.before.still(r.Row.Line, string(rules.DBRefused)) {
		rep.StillRejected++
		action = "still_rejected"
	}
	if p := job.pendingAt(r.Row.Line); p != nil {
		a.opt.Checker.Forget(a.f.src.Entity, a.f.src.Name, r.Row.Values, r.Row.Line)
		o := origin{File: r.Row.OriginFile, Line: r.Row.OriginLine}.or(a.f.src.Name, r.Row.Line)
		a.reject(Rejected{Fields: p.fields, File: o.File, Line: o.Line, Errors: string(rules.DBRefused) + ": " + r.Message})
	}
	a.log.Warn(action, append(origin{File: r.Row.OriginFile, Line: r.Row.OriginLine}.at(r.Row.Line), "code", rules.DBRefused, "detail", r.Message)...)
}

// updated logs a loaded row the batch replaced, with the values that changed.
func (a *accountant) updated(b *store.Batch, u store.Row) {
	e, old := b.Entity, b.Old[u.Line]
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
	a.log.Info("updated", attrs...)
}

// inserted logs the batch's rows that were written: each one when Words.EachRow, and
// one line for the batch.
func (a *accountant) inserted(d batchDone) {
	b, e := d.job.batch, d.job.batch.Entity
	if a.words.EachRow {
		for _, row := range b.Rows {
			if !refusedLine(d.refused, row.Line) {
				a.log.Info(a.words.Inserted, append(origin{File: row.OriginFile, Line: row.OriginLine}.at(row.Line), e.KeyName(), e.KeyOf(row.Values))...)
			}
		}
	}
	if len(b.Rows) > 0 || a.opt.writes() {
		first, last := 0, b.Progress.Line
		if len(b.Rows) > 0 {
			first = b.Rows[0].Line
		}
		refused := 0
		for _, r := range d.refused {
			if !r.Loaded {
				refused++
			}
		}
		a.log.Info(a.words.Inserted, "line", last, "rows", len(b.Rows)-len(d.refused), "first_line", first, "refused", refused)
	}
}
