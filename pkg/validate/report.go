package validate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Report is one validation run.
type Report struct {
	RunID    string
	Domain   string
	Database string
	Started  time.Time
	Duration time.Duration
	Volumes  []Volume
	Results  []Result
}

// WriteText writes the report for people: volumes, one line per check with its status,
// count, samples and rule, then the summary.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	sum := Summarize(r.Results)
	fmt.Fprintf(&b, "Rapport de validation (%s)\n", r.Domain)
	fmt.Fprintf(&b, "==========================\n")
	fmt.Fprintf(&b, "timestamp: %s\n", r.Started.UTC().Format(Timestamp))
	fmt.Fprintf(&b, "run id:    %s\n", r.RunID)
	fmt.Fprintf(&b, "database:  %s\n", r.Database)
	fmt.Fprintf(&b, "started:   %s\n", r.Started.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "duration:  %.2f s\n\n", r.Duration.Seconds())
	fmt.Fprintf(&b, "Volumes\n")
	for _, v := range r.Volumes {
		fmt.Fprintf(&b, "  %-16s %10d rows\n", v.Table, v.Rows)
	}
	kind := ""
	for _, res := range r.Results {
		if res.Kind != kind {
			kind = res.Kind
			fmt.Fprintf(&b, "\n%s\n", strings.ToUpper(kind[:1])+kind[1:])
		}
		fmt.Fprintf(&b, "  %s  %-46s %6d", res.Status, res.Name, res.Count)
		if res.Error != "" {
			fmt.Fprintf(&b, "  error: %s", res.Error)
		} else if len(res.Sample) > 0 {
			more := ""
			if res.Count > len(res.Sample) {
				more = ", ..."
			}
			fmt.Fprintf(&b, "  [%s%s]", strings.Join(res.Sample, ", "), more)
		}
		fmt.Fprintf(&b, "\n        %s\n", res.Description)
	}
	verdict := "PASS"
	if sum.Failed > 0 {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "\nSummary: %d checks, %d passed, %d failed, %d warnings: %s\n", sum.Checks, sum.Passed, sum.Failed, sum.Warnings, verdict)
	_, err := io.WriteString(w, b.String())
	return err
}

type jsonResult struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	Status      string   `json:"status"`
	Count       int      `json:"count"`
	Sample      []string `json:"sample"`
	Description string   `json:"description"`
	Error       string   `json:"error,omitempty"`
}

// WriteJSON writes the same results for scripts.
func (r *Report) WriteJSON(w io.Writer) error {
	out := struct {
		RunID    string         `json:"run_id"`
		Domain   string         `json:"domain"`
		Database string         `json:"database"`
		Started  string         `json:"started"`
		Seconds  float64        `json:"duration_seconds"`
		Volumes  map[string]int `json:"volumes"`
		Checks   []jsonResult   `json:"checks"`
		Summary  Summary        `json:"summary"`
	}{RunID: r.RunID, Domain: r.Domain, Database: r.Database, Started: r.Started.UTC().Format(time.RFC3339),
		Seconds: r.Duration.Seconds(), Volumes: map[string]int{}, Summary: Summarize(r.Results)}
	for _, v := range r.Volumes {
		out.Volumes[v.Table] = v.Rows
	}
	for _, res := range r.Results {
		s := res.Sample
		if s == nil {
			s = []string{}
		}
		out.Checks = append(out.Checks, jsonResult{res.Name, res.Kind, res.Status, res.Count, s, res.Description, res.Error})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
