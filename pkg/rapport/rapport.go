// Package rapport is the final report on a migration: the facts the database holds
// about it (journal, rejections, reprise's corrections, validate's results, the rows
// there now), read by the store (store.History) into Facts, and written as one self-contained HTML
// page (inline CSS and SVG charts, no script, nothing fetched, printable) and as
// Markdown with the same figures, for a mail or a wiki.
//
// Every count comes from the journal as it is: a figure per file is the sum of what
// the runs of the period recorded for that file, so that anyone can check it with one
// SQL query. A file read again by a rerun counts again (its rows are read again); the
// rows in the database now are counted separately, table by table.
package rapport

import (
	"sort"
	"time"

	"dmt/pkg/store"
)

// Facts is everything the report says: its title, where and when it was made, and the
// history the store read (its fields promoted).
type Facts struct {
	Title     string
	Domain    string
	Database  string
	RunID     string
	Generated time.Time
	Since     string // YYYY-MM-DD, "" for the whole journal
	Today     string

	store.History
}

// Totals sums the files.
func (f *Facts) Totals() store.Counts {
	var c store.Counts
	for _, x := range f.Files {
		c.Add(x.Counts)
	}
	return c
}

// LastValidation is the latest validate run, or nil.
func (f *Facts) LastValidation() *store.Validation {
	if len(f.Validations) == 0 {
		return nil
	}
	return &f.Validations[len(f.Validations)-1]
}

// Urgency orders products by how far their stock is from their threshold, relative to
// it: the lower, the more urgent (a stock-out far below zero first).
func Urgency(actuel, seuil int64) float64 {
	return float64(actuel-seuil) / float64(max(seuil, 1))
}

// urgentFirst returns the products of a stock, most urgent first (see Urgency), ties in
// their order: the order both the HTML and the Markdown report list them in.
func urgentFirst(ps []store.Product) []store.Product {
	ps = append([]store.Product(nil), ps...)
	sort.SliceStable(ps, func(i, j int) bool {
		return Urgency(ps[i].Actuel, ps[i].Seuil) < Urgency(ps[j].Actuel, ps[j].Seuil)
	})
	return ps
}
