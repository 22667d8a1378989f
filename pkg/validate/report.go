package validate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"dmt/pkg/model"
)

// Report is one validation run.
type Report struct {
	RunID    string
	Domain   string
	Database string
	Started  time.Time
	Duration time.Duration
	Today    model.Date // the date beyond which a date is in the future
	Volumes  []Volume
	Results  []Result
}

// WriteText writes the report for people: the journal's state, the volumes (rows per
// table, then their checks), one line per check with its status, count and samples (a
// check that could not run: ERROR, "-" and why), and under it the rule as what was
// expected, then the summary; when checks could not run, it names them, and the checks
// that failed, under the summary.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	sum := Summarize(r.Results)
	title := "Rapport de validation (" + r.Domain + ")"
	fmt.Fprintf(&b, "%s\n%s\n", title, strings.Repeat("=", utf8.RuneCountInString(title)))
	fmt.Fprintf(&b, "timestamp: %s (UTC)\n", r.Started.UTC().Format(Timestamp))
	fmt.Fprintf(&b, "run id:    %s\n", r.RunID)
	fmt.Fprintf(&b, "database:  %s\n", r.Database)
	if !r.Today.IsZero() {
		fmt.Fprintf(&b, "today:     %s (dates after it are in the future)\n", r.Today)
	}
	fmt.Fprintf(&b, "started:   %s\n", r.Started.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "duration:  %.2f s\n", r.Duration.Seconds())
	width := 0
	for _, res := range r.Results {
		width = max(width, utf8.RuneCountInString(res.Name))
	}
	took := map[string]float64{}
	for _, t := range r.TimeByTable() {
		took[t.Table] = t.Seconds
	}
	volumes := func() {
		for _, v := range r.Volumes {
			fmt.Fprintf(&b, "  %-*s %10d rows, checked in %.2f s\n", width+6, v.Table, v.Rows, took[v.Table])
		}
	}
	kind, shownVolumes := "", false
	for _, res := range r.Results {
		if res.Kind != kind {
			kind = res.Kind
			fmt.Fprintf(&b, "\n%s\n", strings.ToUpper(kind[:1])+kind[1:])
			if kind == Volumes && !shownVolumes {
				volumes()
				shownVolumes = true
			}
		}
		if res.Status == Error {
			fmt.Fprintf(&b, "  %-5s %-*s %6s  could not run: %s", res.Status, width, res.Name, "-", res.Error)
		} else {
			fmt.Fprintf(&b, "  %-5s %-*s %6d", res.Status, width, res.Name, res.Count)
		}
		if res.Status != Error && len(res.Sample) > 0 {
			more := ""
			if res.Count > len(res.Sample) {
				more = ", ..."
			}
			fmt.Fprintf(&b, "  [%s%s]", strings.Join(res.Sample, ", "), more)
		}
		fmt.Fprintf(&b, "\n        expected: %s\n", res.Description)
	}
	if !shownVolumes {
		fmt.Fprintf(&b, "\nVolumes\n")
		volumes()
	}
	fmt.Fprintf(&b, "\nSummary: %d checks, %d passed, %d failed, %d warnings", sum.Checks, sum.Passed, sum.Failed, sum.Warnings)
	if sum.Errors > 0 {
		fmt.Fprintf(&b, ", %d could not run", sum.Errors)
	}
	fmt.Fprintf(&b, ": %s\n", sum.Status())
	if sum.Errors > 0 {
		fmt.Fprintf(&b, "The verdict is incomplete: %d checks could not run (%s).\n", sum.Errors, strings.Join(r.Named(Error), "; "))
		if sum.Failed > 0 {
			fmt.Fprintf(&b, "Failed all the same: %s.\n", strings.Join(r.Named(Fail), "; "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Named returns the names of the checks whose status is status, in report order.
func (r *Report) Named(status string) []string {
	var names []string
	for _, res := range r.Results {
		if res.Status == status {
			names = append(names, res.Name)
		}
	}
	return names
}

// TableTime is the time the checks reading one table took.
type TableTime struct {
	Table   string  `json:"table"`
	Seconds float64 `json:"seconds"`
}

// TimeByTable sums the time of the checks by the table they read, tables in the order
// the checks first read them: where a larger table, or a slow rule, costs.
func (r *Report) TimeByTable() []TableTime {
	var out []TableTime
	at := map[string]int{}
	for _, res := range r.Results {
		if res.Table == "" {
			continue
		}
		i, ok := at[res.Table]
		if !ok {
			i, at[res.Table] = len(out), len(out)
			out = append(out, TableTime{Table: res.Table})
		}
		out[i].Seconds += res.Duration.Seconds()
	}
	return out
}

type jsonResult struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Status      string   `json:"status"`
	Count       int      `json:"count"`
	Sample      []string `json:"sample"`
	Description string   `json:"description"`
	Error       string   `json:"error,omitempty"`
	Seconds     float64  `json:"seconds"`
}

// WriteJSON writes the same results for scripts.
func (r *Report) WriteJSON(w io.Writer) error {
	sum := Summarize(r.Results)
	out := struct {
		Status   string         `json:"status"`
		RunID    string         `json:"run_id"`
		Domain   string         `json:"domain"`
		Database string         `json:"database"`
		Started  string         `json:"started"`
		Today    string         `json:"today"`
		Seconds  float64        `json:"duration_seconds"`
		Volumes  map[string]int `json:"volumes"`
		Took     []TableTime    `json:"time_by_table"`
		Checks   []jsonResult   `json:"checks"`
		Summary  Summary        `json:"summary"`
	}{Status: sum.Status(), RunID: r.RunID, Domain: r.Domain, Database: r.Database, Started: r.Started.UTC().Format(time.RFC3339),
		Today: r.Today.String(), Seconds: r.Duration.Seconds(), Volumes: map[string]int{}, Took: r.TimeByTable(), Summary: sum}
	for _, v := range r.Volumes {
		out.Volumes[v.Table] = v.Rows
	}
	for _, res := range r.Results {
		s := res.Sample
		if s == nil {
			s = []string{}
		}
		out.Checks = append(out.Checks, jsonResult{res.Name, res.Kind, res.Status, res.Count, s, res.Description, res.Error, res.Duration.Seconds()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
