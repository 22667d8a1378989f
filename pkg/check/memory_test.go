package check_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/store"
)

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
		ch.Use(check.EmptyTables{}, mem, "run", true)
		res, err := ch.CheckAll(ctx, d.Entity(c.entity), []check.Input{{Line: 2, Raw: split(c.raw)}})
		if err != nil || res[0].Outcome != check.Reject {
			t.Fatalf("%s: %v %v, want a rejected row", c.entity, err, res)
		}
		if err := ch.Committed(ctx, "", 2); err != nil {
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

// TestLocalMemoryRecallsWhatItKept: a fact kept with or without its row's values comes
// back as it was kept; a later fact replaces an earlier one for the "key" and "rejected"
// indexes, in either form, and is dropped for the others.
func TestLocalMemoryRecallsWhatItKept(t *testing.T) {
	ctx := context.Background()
	m := check.LocalMemory()
	kept := []store.Fact{
		{Entity: "projets", Index: "rejected", Value: "7", Line: 3, File: "projets.csv"},
		{Entity: "projets", Index: "key", Value: "8", Line: 4, File: "projets.csv", Values: []string{"8", "x"}},
		{Entity: "projets", Index: "u0", Value: "a", Line: 5, File: "projets_b.csv"},
		{Entity: "clients", Index: "rejected", Value: "7", Line: 9, File: "clients.csv"},
		// later facts: the first two replace, the third is dropped
		{Entity: "projets", Index: "key", Value: "8", Line: 40, File: "projets_b.csv"},
		{Entity: "projets", Index: "rejected", Value: "7", Line: 30, File: "projets_b.csv", Values: []string{"7"}},
		{Entity: "projets", Index: "u0", Value: "a", Line: 50, File: "projets.csv", Values: []string{"a"}},
	}
	if err := m.Keep(ctx, kept); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		entity, index, value string
		want                 string
	}{
		{"projets", "rejected", "7", "projets_b.csv:30 [7]"},
		{"projets", "key", "8", "projets_b.csv:40 []"},
		{"projets", "u0", "a", "projets_b.csv:5 []"},
		{"clients", "rejected", "7", "clients.csv:9 []"},
		{"clients", "rejected", "8", ""},
		{"projets", "u0", "7", ""},
	}
	for _, c := range cases {
		got := ""
		err := m.Recall(ctx, c.entity, c.index, []string{c.value}, func(f store.Fact) error {
			if f.Entity != c.entity || f.Index != c.index || f.Value != c.value {
				t.Errorf("%s %s %s: recalled %+v", c.entity, c.index, c.value, f)
			}
			got = fmt.Sprintf("%s:%d %v", f.File, f.Line, f.Values)
			return nil
		})
		if err != nil || got != c.want {
			t.Errorf("%s %s %s: recalled %q (%v), want %q", c.entity, c.index, c.value, got, err, c.want)
		}
	}
}

// TestLocalMemoryPacksRejectedKeys: a writing run keeps the key of each rejected parent
// in the process; packed, one takes about 60 bytes (200 as a store.Fact in a map).
func TestLocalMemoryPacksRejectedKeys(t *testing.T) {
	const n = 200_000
	facts := make([]store.Fact, n)
	for i := range facts {
		facts[i] = store.Fact{Entity: "projets", Index: "rejected", Value: strconv.Itoa(1_000_000 + i), Line: i + 2, File: "projets.csv"}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := check.LocalMemory()
	if err := m.Keep(context.Background(), facts); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("%d bytes a rejected key", per)
	if per > 100 {
		t.Errorf("%d bytes a rejected key kept, want at most 100", per)
	}
	runtime.KeepAlive(m)
	runtime.KeepAlive(facts)
}
