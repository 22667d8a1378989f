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
)

// Counts is the accounting of rows.
type Counts struct {
	Read     int `json:"read"`
	Inserted int `json:"inserted"`
	Rejected int `json:"rejected"`
	Ignored  int `json:"ignored"`
	Updated  int `json:"updated,omitempty"` // loaded rows replaced (reprise -update)
}

// Balanced reports whether every row read is accounted for.
func (c Counts) Balanced() bool { return c.Read == c.Inserted+c.Updated+c.Rejected+c.Ignored }

// Add adds d to c.
func (c *Counts) Add(d Counts) {
	c.Read += d.Read
	c.Inserted += d.Inserted
	c.Rejected += d.Rejected
	c.Ignored += d.Ignored
	c.Updated += d.Updated
}

// File is the accounting of one source file.
type File struct {
	File    string `json:"file"`
	Entity  string `json:"entity"`
	Dialect string `json:"dialect,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
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
	Files    []*File       `json:"files"`
	Totals   Counts        `json:"totals"`
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
	var bad []string
	for _, f := range r.Files {
		r.Totals.Add(f.Counts)
		if !f.Balanced() {
			bad = append(bad, fmt.Sprintf("%s: read %d != %d + %d + %d", f.File, f.Read, f.Inserted, f.Rejected, f.Ignored))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("accounting does not balance: %s", strings.Join(bad, "; "))
	}
	return nil
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
	fmt.Fprintf(&b, "started:    %s\n", r.Started.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "duration:   %.2f s\n", r.Duration.Seconds())
	if s := r.Duration.Seconds(); s > 0 {
		fmt.Fprintf(&b, "throughput: %.0f rows/s\n", float64(r.Totals.Read)/s)
	}
	for _, f := range r.Files {
		fmt.Fprintf(&b, "\n%s (%s)", f.File, f.Entity)
		if f.Dialect != "" {
			fmt.Fprintf(&b, "  [%s]", f.Dialect)
		}
		b.WriteString("\n")
		if f.SHA256 != "" {
			fmt.Fprintf(&b, "  sha256    %s\n", f.SHA256)
		}
		writeCounts(&b, l, f.Counts)
		for _, code := range slices.Sorted(maps.Keys(f.ByCode)) {
			fmt.Fprintf(&b, "    %-26s %d\n", code, f.ByCode[code])
		}
		for _, w := range f.Warnings {
			fmt.Fprintf(&b, "  warning   %s\n", w)
		}
	}
	fmt.Fprintf(&b, "\nTotal\n")
	writeCounts(&b, l, r.Totals)
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

func writeCounts(b *strings.Builder, l [4]string, c Counts) {
	fmt.Fprintf(b, "  %-9s %d\n  %-9s %d\n", l[0], c.Read, l[1], c.Inserted)
	if c.Updated > 0 {
		fmt.Fprintf(b, "  %-9s %d\n", "updated", c.Updated)
	}
	fmt.Fprintf(b, "  %-9s %d\n  %-9s %d\n", l[2], c.Rejected, l[3], c.Ignored)
}

// WriteJSON writes the report for scripts.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
