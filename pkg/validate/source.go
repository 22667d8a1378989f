package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"dmt/pkg/csvfile"
	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// sourceRowsCheck compares, line by line, a source file with the rows that runs (the
// runs of the journal that read this very file, by SHA-256) loaded from it. The file is
// read with migration's reader and header matching, and each value normalised by its
// field's rule, so a row and its line are compared in canonical form. A row differs
// when its values are not those of its line (or its line no longer reads as a valid
// row, or holds no record); a line is missing when it reads as a valid row, no row
// claims it, no row holds its key (a later run may have replaced the row, or a
// duplicate line loaded it) and no rejection of those runs records it.
//
// Both sides stream in line order; memory holds only the lines no row claims (the
// rejected and ignored ones), whose keys are then looked up a thousand at a time.
// The future-date rule is not applied: it judges a row's load, not its values.
func sourceRowsCheck(ctx context.Context, s Store, e *domain.Entity, file string, reread func() (io.ReadCloser, error), runs []string) (Result, error) {
	res := Result{Check: Check{Name: "source " + file + " rows", Kind: Lineage,
		Description: "every row loaded from " + file + " holds the values of its line, and every valid line of it is loaded or rejected " +
			"(rows that differ from their source line, lines whose row is missing)"}}
	f, err := reread()
	if err != nil {
		return res, fmt.Errorf("source %s: %w", file, err)
	}
	defer f.Close()
	src, err := newSourceLines(f, e)
	if err != nil {
		return res, fmt.Errorf("source %s: %w", file, err)
	}
	var bad []string
	report := func(key string, line int, what string) {
		res.Count++
		if len(bad) < SampleSize {
			bad = append(bad, fmt.Sprintf("%s (line %d: %s)", key, line, what))
		}
	}
	type unclaimed struct {
		line int
		key  string
	}
	var free []unclaimed
	var cur *sourceLine
	err = s.SourceRows(ctx, e, file, runs, func(line int, vals []string) error {
		for cur == nil || cur.line < line {
			if cur != nil && cur.claimed == 0 && cur.canon != nil {
				free = append(free, unclaimed{cur.line, e.KeyOf(cur.canon)})
			}
			next, err := src.next()
			if err == io.EOF {
				cur = &sourceLine{line: int(^uint(0) >> 1)}
				break
			}
			if err != nil {
				return err
			}
			cur = next
		}
		key := e.KeyOf(vals)
		switch {
		case cur.line != line:
			report(key, line, "the file holds no record starting on that line")
		case cur.canon == nil:
			cur.claimed++
			report(key, line, "its line is not a valid row ("+cur.why+")")
		default:
			cur.claimed++
			if diff := differences(e, cur.canon, vals); len(diff) > 0 {
				report(key, line, "differs in "+strings.Join(diff, ", "))
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if cur != nil && cur.claimed == 0 && cur.canon != nil {
		free = append(free, unclaimed{cur.line, e.KeyOf(cur.canon)})
	}
	for {
		next, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		if next.canon != nil {
			free = append(free, unclaimed{next.line, e.KeyOf(next.canon)})
		}
	}
	if len(free) > 0 {
		keys := make([]string, len(free))
		for i, u := range free {
			keys[i] = u.key
		}
		absent, err := s.AbsentKeys(ctx, e, keys)
		if err != nil {
			return res, err
		}
		isAbsent := map[string]bool{}
		for _, k := range absent {
			isAbsent[k] = true
		}
		var lines []int
		for _, u := range free {
			if isAbsent[u.key] {
				lines = append(lines, u.line)
			}
		}
		rejected, err := s.RejectedAmong(ctx, file, runs, lines)
		if err != nil {
			return res, err
		}
		for _, u := range free {
			if isAbsent[u.key] && !rejected[u.line] {
				report(u.key, u.line, "missing: no row holds it and no run rejected it")
			}
		}
	}
	res.Sample = bad
	res.Status = Pass
	if res.Count > 0 {
		res.Status = Fail
	}
	return res, nil
}

// differences names the fields whose canonical values differ (a list compared as the
// set of its items).
func differences(e *domain.Entity, want, got []string) []string {
	var diff []string
	for i, f := range e.Fields {
		w, g := want[i], got[i]
		if f.Kind == rules.List {
			w, g = sortedItems(w), sortedItems(g)
		}
		if w != g {
			diff = append(diff, f.Name)
		}
	}
	return diff
}

func sortedItems(list string) string {
	if list == "" {
		return ""
	}
	items := strings.Split(list, rules.ListSeparator)
	slices.Sort(items)
	return strings.Join(items, rules.ListSeparator)
}

// sourceLine is a record of a source file in canonical form (canon nil when it does not
// read as a valid row: why says what is wrong), and how many rows claim it.
type sourceLine struct {
	line    int
	canon   []string
	why     string
	claimed int
}

// sourceLines reads a source file as migration does: its dialect, its header matched to
// the entity's columns, each value normalised by its field.
type sourceLines struct {
	r   *csvfile.Reader
	e   *domain.Entity
	idx []int
}

func newSourceLines(f io.Reader, e *domain.Entity) (*sourceLines, error) {
	r, err := csvfile.NewReader(f)
	if err != nil {
		return nil, err
	}
	m, err := csvfile.MapHeader(r.Header(), e.Columns(), e.Required())
	if err != nil {
		return nil, err
	}
	return &sourceLines{r: r, e: e, idx: m.Index}, nil
}

func (s *sourceLines) next() (*sourceLine, error) {
	rec, err := s.r.Read()
	var pe *csvfile.ParseError
	if errors.As(err, &pe) {
		return &sourceLine{line: pe.Line, why: string(rules.MalformedRow)}, nil
	}
	if err != nil {
		return nil, err
	}
	out := &sourceLine{line: rec.Line, canon: make([]string, len(s.e.Fields))}
	for i, j := range s.idx {
		v := ""
		if j >= 0 && j < len(rec.Fields) {
			v = rec.Fields[j]
		}
		canon, viol := s.e.Fields[i].Normalize(v, model.Date{})
		if viol != nil {
			out.canon, out.why = nil, string(viol.Code)+" "+s.e.Fields[i].Name
			return out, nil
		}
		out.canon[i] = canon
	}
	return out, nil
}
