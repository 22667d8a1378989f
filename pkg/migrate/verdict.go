package migrate

import (
	"strings"

	"dmt/pkg/check"
	"dmt/pkg/csvfile"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// judged puts a checked row in the current batch as its verdict says: a row to insert
// or to replace, a row ignored, or a row rejected.
func (r *fileRun) judged(res check.Result, rec *csvfile.Record, fields []string, from origin) {
	job := r.cur
	b := job.batch
	job.read(rec.Line)
	if res.Unjudged > 0 {
		job.unjudged++
	}
	row := store.Row{Values: res.Canonical, Line: rec.Line, OriginFile: from.File, OriginLine: from.Line}
	switch res.Outcome {
	case check.Accept:
		b.Progress.Inserted++
		b.Rows = append(b.Rows, row)
		job.pending = append(job.pending, pending{line: rec.Line, fields: fields})
	case check.Replace:
		b.Progress.Updated++
		b.Updates = append(b.Updates, row)
	case check.Ignore:
		r.ignored(res, rec.Line, from)
	case check.Reject:
		r.rejected(res, rec, fields, from)
	}
}

// ignored counts a row with nothing to do. Rows already loaded are summarised (a weekly
// rerun has thousands), unless every row is logged (reprise's few rows each matter).
func (r *fileRun) ignored(res check.Result, line int, from origin) {
	job := r.cur
	job.batch.Progress.Ignored++
	for _, c := range res.Codes() {
		job.byCode[string(c)]++
	}
	if v := res.Violations[0]; v.Code == rules.AlreadyLoaded && !r.words.EachRow {
		job.loaded.add(line)
	} else {
		job.notes = append(job.notes, note{line: line, ignoreAs: "ignored", code: string(v.Code), detail: v.Detail, origin: from})
	}
}

// rejected records a row that breaks rules, with its codes and their reasons.
func (r *fileRun) rejected(res check.Result, rec *csvfile.Record, fields []string, from origin) {
	job := r.cur
	b := job.batch
	b.Progress.Rejected++
	codes := res.Codes()
	codeText := make([]string, len(codes))
	for i, c := range codes {
		job.byCode[string(c)]++
		codeText[i] = string(c)
	}
	joined := strings.Join(codeText, ",")
	still := r.before.still(rec.Line, joined)
	if still {
		job.still++
	}
	errs := violationsText(res.Violations)
	b.Rejections = append(b.Rejections, store.Rejection{Line: rec.Line, Codes: joined, Detail: errs, Raw: rec.Raw})
	job.notes = append(job.notes, note{line: rec.Line, reject: true, code: joined, detail: errs, fields: fields, origin: from, still: still})
}

// unreadable rejects a line the reader could not split into fields.
func (r *fileRun) unreadable(pe *csvfile.ParseError) {
	r.readNotes(pe.Notes)
	var cut *csvfile.ParseError
	if pe.Truncated {
		cut = pe
	}
	r.malformed(pe.Line, pe.Raw, pe.Err, origin{}, cut)
}

// malformed rejects a row that could not be split into the header's columns: it is
// kept as its text, to be split again when fed back. A line too long to be held (cut)
// has only its start in text: the rejected-rows file reads it whole again, and
// raw_bytes records its whole size.
func (r *fileRun) malformed(line int, text string, cause error, o origin, cut *csvfile.ParseError) {
	code := string(rules.MalformedRow)
	r.lastLine = line
	detail := cause.Error()
	job := r.cur
	still := r.before.still(line, code)
	if still {
		job.still++
	}
	job.byCode[code]++
	rej := store.Rejection{Line: line, Codes: code, Detail: detail, Raw: text}
	if cut != nil {
		rej.RawBytes = int(cut.RawBytes)
	}
	job.batch.Rejections = append(job.batch.Rejections, rej)
	job.read(line)
	job.batch.Progress.Rejected++
	job.notes = append(job.notes, note{line: line, reject: true, code: code, detail: code + ": " + detail, raw: text, cut: cut, origin: o, still: still})
}

// readNotes logs what the reader did to a record's lines to read them (decoded one in
// the other encoding, removed a BOM): nothing is mended silently.
func (r *fileRun) readNotes(ns []csvfile.Note) {
	for _, n := range ns {
		action := "decoded"
		if n.Code == rules.StrayBOM {
			action = "stripped"
		}
		r.cur.notes = append(r.cur.notes, note{line: n.Line, warn: true, ignoreAs: action, code: string(n.Code), detail: n.Detail})
	}
}
