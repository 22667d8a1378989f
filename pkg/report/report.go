// Package report accounts for every row a run reads and writes the run's report, as text
// for people and as JSON for scripts. Its central promise: for every file, rows read =
// inserted + rejected + ignored, checked before the report is written.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Counts is the accounting of rows.
type Counts struct {
	Read     int `json:"read"`
	Inserted int `json:"inserted"`
	Rejected int `json:"rejected"`
	Ignored  int `json:"ignored"`
	Updated  int `json:"updated,omitempty"` // loaded rows replaced (reprise -update)
	// StillRejected counts the rejected rows that the latest earlier complete run of the
	// same file (same SHA-256) rejected at the same line with the same codes: known
	// problems, not new ones. They are part of Rejected.
	StillRejected int `json:"still_rejected"`
	// Unjudged counts the rows whose references to rows outside the run could not be
	// judged: a dry run without a database checks the files alone. They are counted as
	// their verdict says (most often inserted), their references unchecked.
	Unjudged int `json:"unjudged_references,omitempty"`
}

// NewRejected is the number of rejected rows that are new problems of this run.
func (c Counts) NewRejected() int { return c.Rejected - c.StillRejected }

// Balanced reports whether every row read is accounted for.
func (c Counts) Balanced() bool { return c.Read == c.Inserted+c.Updated+c.Rejected+c.Ignored }

// Add adds d to c.
func (c *Counts) Add(d Counts) {
	c.Read += d.Read
	c.Inserted += d.Inserted
	c.Rejected += d.Rejected
	c.Ignored += d.Ignored
	c.Updated += d.Updated
	c.StillRejected += d.StillRejected
	c.Unjudged += d.Unjudged
}

// States of a file and of a run in the report.
const (
	StateComplete    = "complete"    // read to its end, every batch committed
	StateSkipped     = "skipped"     // not read: an earlier run loaded it whole, unchanged
	StateInterrupted = "interrupted" // stopped by a signal: counts are the committed batches'
	StateFailed      = "failed"      // stopped by an error: counts are the committed batches'
	StateNotRead     = "not read"    // the run stopped before this file
)

// File is the accounting of one source file. Its counts are those of the batches the
// database committed (or, in a dry run, that were judged whole): a row read after the
// last committed batch of an interrupted run is not counted at all, so read = inserted
// + rejected + ignored holds for what is reported, and the journal agrees.
type File struct {
	File    string `json:"file"`
	Entity  string `json:"entity"`
	Dialect string `json:"dialect,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
	State   string `json:"state"`
	// CommittedLine is the last source line the committed batches account for.
	CommittedLine int `json:"committed_line,omitempty"`
	// UnchangedSince is, for a skipped file, the run that loaded it.
	UnchangedSince string `json:"unchanged_since,omitempty"`
	// StillRejectedSince is the earlier run whose rejections StillRejected repeats.
	StillRejectedSince string `json:"still_rejected_since,omitempty"`
	Counts
	ByCode   map[string]int `json:"by_code"`
	Warnings []string       `json:"warnings,omitempty"`
}

// Count records one row's outcome codes in the breakdown.
func (f *File) Count(code string) {
	if f.ByCode == nil {
		f.ByCode = map[string]int{}
	}
	f.ByCode[code]++
}

// Report is the report of one run.
type Report struct {
	Title    string        `json:"-"`
	RunID    string        `json:"run_id"`
	Tool     string        `json:"tool"`
	Database string        `json:"database,omitempty"`
	DryRun   bool          `json:"dry_run"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"-"`
	Seconds  float64       `json:"duration_seconds"`
	// Status is complete, interrupted (by a signal) or failed (by an error).
	Status       string  `json:"status"`
	Files        []*File `json:"files"`
	FilesSkipped int     `json:"files_skipped"`
	Totals       Counts  `json:"totals"`
	// Labels rename the columns for tools whose words differ (reprise re-injects and
	// isolates); empty means read, inserted, rejected, ignored.
	Labels [4]string `json:"-"`
}

// Finish sums the totals and checks the accounting of every file; it returns an error
// naming each file whose rows are not all accounted for.
func (r *Report) Finish(duration time.Duration) error {
	r.Duration = duration
	r.Seconds = duration.Seconds()
	r.Totals = Counts{}
	r.FilesSkipped = 0
	if r.Status == "" {
		r.Status = StateComplete
	}
	var bad []string
	for _, f := range r.Files {
		r.Totals.Add(f.Counts)
		if f.State == StateSkipped {
			r.FilesSkipped++
		}
		if !f.Balanced() {
			bad = append(bad, fmt.Sprintf("%s: read %d != %d + %d + %d", f.File, f.Read, f.Inserted, f.Rejected, f.Ignored))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("accounting does not balance: %s", strings.Join(bad, "; "))
	}
	return nil
}

func (r *Report) status() string {
	if r.Status == "" {
		return StateComplete
	}
	return r.Status
}

func (r *Report) labels() [4]string {
	if r.Labels[0] == "" {
		return [4]string{"read", "inserted", "rejected", "ignored"}
	}
	return r.Labels
}

// WriteText writes the report for people.
func (r *Report) WriteText(w io.Writer) error {
	l := r.labels()
	var b strings.Builder
	title := r.Title
	if title == "" {
		title = "Migration report"
	}
	fmt.Fprintf(&b, "%s\n%s\n", title, strings.Repeat("=", len(title)))
	fmt.Fprintf(&b, "run id:     %s\n", r.RunID)
	fmt.Fprintf(&b, "tool:       %s\n", r.Tool)
	if r.Database != "" {
		fmt.Fprintf(&b, "database:   %s\n", r.Database)
	}
	if r.DryRun {
		fmt.Fprintf(&b, "mode:       dry run (nothing written to the database)\n")
	}
	switch r.Status {
	case StateInterrupted, StateFailed:
		fmt.Fprintf(&b, "status:     %s: the counts below are those of the batches committed before it stopped;\n", r.Status)
		fmt.Fprintf(&b, "            rows read after them are in no count and not in the database.\n")
		fmt.Fprintf(&b, "            Run the same command again to finish the job.\n")
	default:
		fmt.Fprintf(&b, "status:     %s\n", r.status())
	}
	fmt.Fprintf(&b, "started:    %s\n", r.Started.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "duration:   %.2f s\n", r.Duration.Seconds())
	if s := r.Duration.Seconds(); s > 0 {
		fmt.Fprintf(&b, "throughput: %.0f rows/s\n", float64(r.Totals.Read)/s)
	}
	// One line per file, then details only for the files with something to look at: a
	// weekly job over hundreds of files stays readable.
	if len(r.Files) > 0 {
		width := 0
		for _, f := range r.Files {
			width = max(width, utf8.RuneCountInString(f.File)+len(f.Entity)+3)
		}
		fmt.Fprintf(&b, "\nFiles\n")
		for _, f := range r.Files {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, f.File+" ("+f.Entity+")", fileLine(l, f))
		}
	}
	for _, f := range r.Files {
		if !needsDetails(f) {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%s)", f.File, f.Entity)
		if f.Dialect != "" {
			fmt.Fprintf(&b, "  [%s]", f.Dialect)
		}
		b.WriteString("\n")
		if f.SHA256 != "" {
			fmt.Fprintf(&b, "  sha256    %s\n", f.SHA256)
		}
		switch f.State {
		case StateInterrupted, StateFailed:
			fmt.Fprintf(&b, "  state     %s: committed up to line %d\n", f.State, f.CommittedLine)
		case StateNotRead:
			fmt.Fprintf(&b, "  state     not read (the run stopped before this file)\n")
		}
		writeCounts(&b, l, f.Counts)
		if f.StillRejected > 0 {
			fmt.Fprintf(&b, "    %-26s %d (rejected the same way by run %s)\n", "still rejected", f.StillRejected, f.StillRejectedSince)
			fmt.Fprintf(&b, "    %-26s %d\n", "new rejected", f.NewRejected())
		}
		for _, code := range slices.Sorted(maps.Keys(f.ByCode)) {
			fmt.Fprintf(&b, "    %-26s %d\n", code, f.ByCode[code])
		}
		for _, w := range f.Warnings {
			fmt.Fprintf(&b, "  warning   %s\n", w)
		}
	}
	fmt.Fprintf(&b, "\nTotal\n")
	writeCounts(&b, l, r.Totals)
	if r.Totals.StillRejected > 0 {
		fmt.Fprintf(&b, "    %-26s %d (known: rejected the same way by the latest earlier run of the same file)\n", "still rejected", r.Totals.StillRejected)
		fmt.Fprintf(&b, "    %-26s %d\n", "new rejected", r.Totals.NewRejected())
	}
	if r.FilesSkipped > 0 {
		fmt.Fprintf(&b, "  files skipped: %d (unchanged since a run that loaded all their rows; not counted above)\n", r.FilesSkipped)
	}
	check := "OK"
	if !r.Totals.Balanced() {
		check = "FAILED"
	}
	if r.Totals.Updated > 0 {
		fmt.Fprintf(&b, "\ncheck: %s = %s + updated + %s + %s: %d = %d + %d + %d + %d  %s\n", l[0], l[1], l[2], l[3],
			r.Totals.Read, r.Totals.Inserted, r.Totals.Updated, r.Totals.Rejected, r.Totals.Ignored, check)
	} else {
		fmt.Fprintf(&b, "\ncheck: %s = %s + %s + %s: %d = %d + %d + %d  %s\n", l[0], l[1], l[2], l[3],
			r.Totals.Read, r.Totals.Inserted, r.Totals.Rejected, r.Totals.Ignored, check)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// needsDetails reports whether a file gets its own section in the text report: rows
// rejected, a warning, or a run that stopped in or before it. A file loaded whole
// without problem, or skipped, is told in its one line.
func needsDetails(f *File) bool {
	switch f.State {
	case StateSkipped:
		return false
	case StateInterrupted, StateFailed, StateNotRead:
		return true
	}
	return f.Rejected > 0 || len(f.Warnings) > 0 || f.Unjudged > 0
}

// fileLine is a file's one line in the report: its counts (and the codes of the rows
// ignored), or why it was not read, and its dialect.
func fileLine(l [4]string, f *File) string {
	if f.State == StateSkipped {
		return "skipped   unchanged since run " + f.UnchangedSince + ", all rows loaded (not read again)"
	}
	line := fmt.Sprintf("%s %d, %s %d", l[0], f.Read, l[1], f.Inserted)
	if f.Updated > 0 {
		line += fmt.Sprintf(", updated %d", f.Updated)
	}
	line += fmt.Sprintf(", %s %d, %s %d", l[2], f.Rejected, l[3], f.Ignored)
	var codes []string
	for _, code := range slices.Sorted(maps.Keys(f.ByCode)) {
		codes = append(codes, fmt.Sprintf("%s %d", code, f.ByCode[code]))
	}
	if len(codes) > 0 && !needsDetails(f) {
		line += " (" + strings.Join(codes, ", ") + ")"
	}
	switch {
	case f.State == StateInterrupted || f.State == StateFailed || f.State == StateNotRead:
		line += "  " + f.State + ", see below"
	case needsDetails(f):
		line += "  see below"
	}
	if f.Dialect != "" {
		line += "  [" + f.Dialect + "]"
	}
	return line
}

func writeCounts(b *strings.Builder, l [4]string, c Counts) {
	fmt.Fprintf(b, "  %-9s %d\n  %-9s %d\n", l[0], c.Read, l[1], c.Inserted)
	if c.Updated > 0 {
		fmt.Fprintf(b, "  %-9s %d\n", "updated", c.Updated)
	}
	fmt.Fprintf(b, "  %-9s %d\n  %-9s %d\n", l[2], c.Rejected, l[3], c.Ignored)
	if c.Unjudged > 0 {
		fmt.Fprintf(b, "  %s\n", UnjudgedNote(c.Unjudged))
	}
}

// UnjudgedNote says, for the report and the console, what Counts.Unjudged counts.
func UnjudgedNote(n int) string {
	return fmt.Sprintf("%d rows refer to rows outside the run: references not judged (no database to look them up)", n)
}

// WriteJSON writes the report for scripts.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
