package check_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/rules"
	"dmt/pkg/store"
)

// committedTables answers as a database holding the rows a test committed, found by
// their key, and counts the look-ups of each entity.
type committedTables struct {
	rows  map[string]map[string][]string // entity -> key -> canonical values
	finds map[string]int
}

func (s *committedTables) Extent(_ context.Context, e *domain.Entity) (store.Extent, error) {
	return store.Extent{Empty: len(s.rows[e.Name]) == 0}, nil
}

func (s *committedTables) Find(_ context.Context, e *domain.Entity, cols []string, tuples [][]string, _ []string, _ bool, fn func(store.Stored) error) error {
	s.finds[e.Name]++
	if !slices.Equal(cols, e.Key) {
		return nil
	}
	for _, t := range tuples {
		if vals, ok := s.rows[e.Name][strings.Join(t, "/")]; ok {
			if err := fn(store.Stored{Values: vals, RunID: "run", File: e.File, Line: 2}); err != nil {
				return err
			}
		}
	}
	return nil
}

// asStored returns a row's canonical values as the database gives them back: a list's
// items in byte order.
func asStored(e *domain.Entity, canonical []string) []string {
	vals := slices.Clone(canonical)
	for _, l := range e.Lists {
		i := e.Index(l.Column)
		vals[i] = rules.ListInByteOrder(vals[i])
	}
	return vals
}

// TestCommittedParentsNotLookedUp: a run that loads parents before their children keeps
// the parents it committed for the children, instead of looking each up in the
// database: no look-up of clients, intervenants or projets while judging the projects
// and affectations that refer to them, and the verdicts of a look-up (a site not among
// the project's, listed in byte order as the database gives them). A parent the server
// refused after all is not kept (its children are orphans, explained), and a dry run,
// which commits nothing, finds its parents among the facts it keeps.
func TestCommittedParentsNotLookedUp(t *testing.T) {
	ctx := context.Background()
	d := domain.Clevity()
	for _, c := range []struct {
		name       string
		writes     bool
		refused    bool // the server refuses project 12 after the checker accepted it
		wantLooked bool // projets looked up while judging the affectations
		want       []rules.Code
		detail     string // in the second affectation's verdict
	}{
		{name: "written", writes: true, want: []rules.Code{"", rules.SiteNotInProject}, detail: `"Paris" is not among Lyon|Nantes`},
		{name: "refused by the server", writes: true, refused: true, wantLooked: true,
			want: []rules.Code{rules.UnknownReference, rules.UnknownReference}, detail: "rejected"},
		{name: "dry run", wantLooked: true, want: []rules.Code{"", rules.SiteNotInProject}, detail: `"Paris" is not among`},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := &committedTables{rows: map[string]map[string][]string{}, finds: map[string]int{}}
			ch := check.New(d, today)
			ch.Use(db, check.LocalMemory(), "run", c.writes)
			load := func(entity string, raws ...string) []check.Result {
				t.Helper()
				e := d.Entity(entity)
				ch.SetSource(e.File)
				in := make([]check.Input, len(raws))
				for i, r := range raws {
					in[i] = check.Input{Line: i + 2, Raw: split(r)}
				}
				res, err := ch.CheckAll(ctx, e, in)
				if err != nil {
					t.Fatal(err)
				}
				for i, r := range res {
					switch {
					case r.Outcome != check.Accept:
					case c.refused && entity == "projets":
						ch.Forget(e, e.File, r.Canonical, i+2)
					case c.writes:
						if db.rows[entity] == nil {
							db.rows[entity] = map[string][]string{}
						}
						db.rows[entity][e.KeyOf(r.Canonical)] = asStored(e, r.Canonical)
					}
				}
				if err := ch.Committed(ctx, e.File, len(raws)+1); err != nil {
					t.Fatal(err)
				}
				return res
			}
			load("clients", "1,Dupont,,a@x.fr,,,")
			load("intervenants", "1,Martin,Léa,lea@clevity.fr,Lyon,,2019-03-01")
			if res := load("projets", "12,1,Audit,audit,termine,2023-01-01,2023-02-01,,5,Nantes|Lyon"); res[0].Outcome != check.Accept {
				t.Fatalf("project: %v", res[0].Violations)
			}
			if c.writes && db.finds["clients"] > 0 {
				t.Errorf("the committed client was looked up %d times", db.finds["clients"])
			}
			before := db.finds["projets"]
			res := load("affectations", "100,12,1,consultant,Lyon,2023-01-02,,2", "101,12,1,auditeur,Paris,2023-01-03,,1")
			if looked := db.finds["projets"] > before; looked != c.wantLooked {
				t.Errorf("projets looked up while judging the affectations: %v, want %v", looked, c.wantLooked)
			}
			if c.writes && db.finds["intervenants"] > 0 {
				t.Errorf("the committed intervenant was looked up %d times", db.finds["intervenants"])
			}
			for i, r := range res {
				if got := r.Codes(); (c.want[i] == "") != (len(got) == 0) || c.want[i] != "" && !r.Has(c.want[i]) {
					t.Errorf("affectation %d: %v %v, want %q", i+1, r.Outcome, r.Violations, c.want[i])
				}
			}
			if v := res[1].Violations; len(v) == 0 || !strings.Contains(v[0].Detail, c.detail) {
				t.Errorf("affectation 2: %v, want a detail holding %q", v, c.detail)
			}
		})
	}
}
