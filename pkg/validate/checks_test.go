package validate

import (
	"context"
	"slices"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/store"
)

// TestUniqueProof: a unique index proves a uniqueness check only when it covers no
// column outside the check's.
func TestUniqueProof(t *testing.T) {
	cols := map[string]store.Column{
		"a.x": {Table: "a", Name: "x", Uniques: "x,y,z;x,w"},
		"a.y": {Table: "a", Name: "y"},
		"a.z": {Table: "a", Name: "z", Uniques: "z"},
		"a.w": {Table: "a", Name: "w"},
		"b.x": {Table: "b", Name: "x"},
	}
	for _, c := range []struct {
		table string
		cols  []string
		want  bool
	}{
		{"a", []string{"x", "y", "z"}, true},
		{"a", []string{"z", "y", "x", "w"}, true},
		{"a", []string{"x", "w"}, true},
		{"a", []string{"z", "y"}, true}, // z alone is unique
		{"a", []string{"x", "y"}, false},
		{"a", []string{"y", "w"}, false},
		{"b", []string{"x"}, false},
		{"c", []string{"x"}, false},
	} {
		if got := (Proof{Table: c.table, Unique: c.cols}).holds(cols); got != c.want {
			t.Errorf("Proof{%s, Unique: %v}.holds = %v, want %v", c.table, c.cols, got, c.want)
		}
	}
}

// TestCostlyPassesFirst: the passes run costliest first, by rows and work per row, so
// that the projets pass (its fingerprints gather each project's sites) starts beside
// the affectations passes, not after the cheaper pass over the larger projet_sites.
func TestCostlyPassesFirst(t *testing.T) {
	d := domain.Clevity()
	checks := Checks(d, model.Date{Year: 2026, Month: 11, Day: 15})
	rows := map[string]int{"affectations": 1000000, "projet_sites": 300000, "projets": 250000, "clients": 62500, "intervenants": 12500}
	jobs, _, _ := passJobs(context.Background(), nil, checks, make([]bool, len(checks)), rows, make([]counted, len(checks)), volumes(d))
	var order []string
	for _, j := range jobs {
		order = append(order, j.from)
	}
	ran := []string{}
	for i := range jobs {
		jobs[i].run = func() { ran = append(ran, order[i]) }
	}
	runJobs(jobs, 1)
	rank := func(from string) int { return slices.Index(ran, from) }
	if r := rank("`projets` c"); r < 0 || r > 2 || r > rank("`projet_sites` c") {
		t.Errorf("passes ran in the order %q: want the projets pass among the first three, before projet_sites", ran)
	}
	if rank("`affectations` c") != 0 {
		t.Errorf("passes ran in the order %q: want the affectations pass first", ran)
	}
}

// TestPassesBeforeOwnQueries: the passes run first, costliest first, then the checks'
// own queries, costliest first, whatever their estimates.
func TestPassesBeforeOwnQueries(t *testing.T) {
	var ran []string
	jobs := []job{{cost: 100, from: "own 100"}, {cost: 10, pass: true, from: "pass 10"},
		{cost: 5, from: "own 5"}, {cost: 50, pass: true, from: "pass 50"}}
	for i := range jobs {
		name := jobs[i].from
		jobs[i].run = func() { ran = append(ran, name) }
	}
	runJobs(jobs, 1)
	if want := []string{"pass 50", "pass 10", "own 100", "own 5"}; !slices.Equal(ran, want) {
		t.Errorf("ran %q, want %q", ran, want)
	}
}
