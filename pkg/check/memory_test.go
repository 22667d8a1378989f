package check_test

import (
	"context"
	"testing"

	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/store"
)

// emptyTables answers as a database whose tables hold no row.
type emptyTables struct{}

func (emptyTables) Extent(context.Context, *domain.Entity) (store.Extent, error) {
	return store.Extent{Empty: true}, nil
}

func (emptyTables) Find(context.Context, *domain.Entity, []string, [][]string, []string, func(store.Stored) error) error {
	return nil
}

// keptFacts records the facts a checker hands its Memory.
type keptFacts struct{ facts []store.Fact }

func (m *keptFacts) Keep(_ context.Context, facts []store.Fact) error {
	m.facts = append(m.facts, facts...)
	return nil
}

func (m *keptFacts) Recall(context.Context, string, string, []string, func(store.Fact) error) error {
	return nil
}

// TestRejectedKeysKeptForParentsOnly: a writing run keeps, once committed, the key of
// a rejected row of an entity other rows refer to (to explain their orphans), not of
// one nothing refers to (affectations): those would grow with the rows rejected.
func TestRejectedKeysKeptForParentsOnly(t *testing.T) {
	ctx := context.Background()
	d := domain.Clevity()
	for _, c := range []struct {
		entity string
		raw    string
		want   int
	}{
		{"projets", "10,1,Audit,audit,planifie,pas une date,,,,", 1},
		{"affectations", "7,10,1,Consultant,Lyon,pas une date,,2", 0},
	} {
		mem := &keptFacts{}
		ch := check.New(d, today)
		ch.Use(emptyTables{}, mem, "run", true)
		res, err := ch.CheckAll(ctx, d.Entity(c.entity), []check.Input{{Line: 2, Raw: split(c.raw)}})
		if err != nil || res[0].Outcome != check.Reject {
			t.Fatalf("%s: %v %v, want a rejected row", c.entity, err, res)
		}
		if err := ch.Committed(ctx, 2); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range mem.facts {
			if f.Index == "rejected" && f.Value == res[0].Canonical[0] {
				n++
			}
		}
		if n != c.want {
			t.Errorf("%s: %d facts of its rejected key kept, want %d: %+v", c.entity, n, c.want, mem.facts)
		}
	}
}
