package mariadb

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/store"
)

// openMemory opens a Memory on a fresh test database.
func openMemory(t *testing.T) *Memory {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	m, err := db.openMemory(ctx, memoryPieces)
	if err != nil {
		t.Fatalf("openMemory: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

// waitWritten waits until m has written every piece kept: a Recall then reads the table
// alone.
func waitWritten(t *testing.T, m *Memory) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		m.mu.Lock()
		idle := len(m.queue) == 0 && len(m.room) == 0
		m.mu.Unlock()
		if idle {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the memory's pieces are not written after a minute")
		}
	}
}

// recall returns what m.Recall gives of entity and index for values, by value.
func recall(t *testing.T, m *Memory, entity, index string, values ...string) map[string]store.Fact {
	t.Helper()
	got := map[string]store.Fact{}
	err := m.Recall(context.Background(), entity, index, values, func(f store.Fact) error {
		if _, ok := got[f.Value]; ok {
			t.Errorf("Recall(%s, %s) gave %q twice", entity, index, f.Value)
		}
		got[f.Value] = f
		return nil
	})
	if err != nil {
		t.Fatalf("Recall(%s, %s): %v", entity, index, err)
	}
	return got
}

// TestMemoryKeepsFactsAsTheyCame: what LOAD DATA's text format must escape, bytes that
// are not UTF-8, empty values, values and file names longer than an index or a VARCHAR
// holds, Values nil, empty or holding empty strings: every fact comes back as it was
// kept, read from the table and from the pieces not written yet.
func TestMemoryKeepsFactsAsTheyCame(t *testing.T) {
	t.Parallel()
	odd := []string{"tab\there", "line\nbreak", "cr\r", `back\slash`, `\N`, "nul\x00byte", "\xff\xfe not utf-8",
		"", "'quote\"", strings.Repeat("é", 40000), `ends with \`}
	longFile := strings.Repeat("folder/", 60) + "clients.csv"
	var facts []store.Fact
	for i, v := range odd {
		facts = append(facts,
			store.Fact{Entity: "clients", Index: "key", Value: v, Line: i + 2, File: longFile, Values: append([]string{v, ""}, odd...)},
			store.Fact{Entity: "clients", Index: "rejected", Value: v, Line: 1 << 40, File: "rejets\tfile.csv"},
			store.Fact{Entity: "clients", Index: "u0", Value: v, Line: i + 2, File: "", Values: []string{}})
	}
	for _, when := range []string{"pending", "written"} {
		t.Run(when, func(t *testing.T) {
			t.Parallel()
			m := openMemory(t)
			if err := m.Keep(context.Background(), facts); err != nil {
				t.Fatalf("Keep: %v", err)
			}
			if when == "written" {
				waitWritten(t, m)
			}
			for _, ix := range []string{"key", "rejected", "u0"} {
				got := recall(t, m, "clients", ix, odd...)
				for _, f := range facts {
					if f.Index != ix {
						continue
					}
					if g := got[f.Value]; !reflect.DeepEqual(g, f) {
						t.Errorf("%s %q: got %+v, want %+v", ix, f.Value, g, f)
					}
				}
			}
		})
	}
}

// TestMemoryLatestAndFirst: a later fact of a value replaces an earlier one for the "key"
// and "rejected" indexes, the first stays for the others, within one Keep and across
// Keeps, whether the earlier fact is written or not; a fact answers for its entity and
// index only, and for its exact value, also when every value has the same hash (the
// table's h only finds candidates).
func TestMemoryLatestAndFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fact := func(ix, v string, line int) store.Fact {
		return store.Fact{Entity: "projets", Index: ix, Value: v, Line: line, File: "projets.csv", Values: []string{v, fmt.Sprint(line)}}
	}
	for _, c := range []struct{ wait, collide bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		wait := c.wait
		t.Run(fmt.Sprintf("written between Keeps %v, one hash %v", c.wait, c.collide), func(t *testing.T) {
			t.Parallel()
			m := openMemory(t)
			if c.collide {
				m.hash = func(string) uint64 { return 42 }
			}
			keep := func(facts ...store.Fact) {
				t.Helper()
				if err := m.Keep(ctx, facts); err != nil {
					t.Fatalf("Keep: %v", err)
				}
				if wait {
					waitWritten(t, m)
				}
			}
			keep(fact("key", "1", 2), fact("key", "1", 3), fact("u0", "a", 2), fact("u0", "a", 3), fact("rejected", "9", 4))
			keep(fact("key", "1", 5), fact("u0", "a", 5), fact("rejected", "9", 6), fact("c0", "x", 7))
			// Many pieces: the first facts are written while the last wait.
			var many []store.Fact
			for i := range 3*pieceFacts + 10 {
				many = append(many, fact("key", fmt.Sprintf("m%d", i), i+10))
			}
			keep(many...)
			keep(fact("key", "1", 8), fact("c0", "x", 9))
			want := map[string]map[string]int{ // index: value: line
				"key":      {"1": 8, "m0": 10, fmt.Sprintf("m%d", 3*pieceFacts+9): 3*pieceFacts + 19},
				"u0":       {"a": 2},
				"rejected": {"9": 6},
				"c0":       {"x": 7},
			}
			for ix, values := range want {
				asked := append(slices.Collect(maps.Keys(values)), "never kept")
				got := recall(t, m, "projets", ix, asked...)
				if len(got) != len(values) {
					t.Errorf("%s: got %d facts, want %d", ix, len(got), len(values))
				}
				for v, line := range values {
					if g := got[v]; g.Line != line || !slices.Equal(g.Values, []string{v, fmt.Sprint(line)}) {
						t.Errorf("%s %q: line %d values %q, want line %d", ix, v, g.Line, g.Values, line)
					}
				}
			}
			if got := recall(t, m, "clients", "key", "1"); len(got) != 0 {
				t.Errorf("clients key 1: %v, want nothing (the facts are projets')", got)
			}
			if got := recall(t, m, "projets", "key", "1 ", "01"); len(got) != 0 {
				t.Errorf("projets key \"1 \", \"01\": %v, want nothing (values compared exactly)", got)
			}
		})
	}
}

// TestMemoryMerge: a Recall's answer is the table's rows as the pieces not written yet
// change them, whatever the timing (the Recall tests above cannot choose it).
func TestMemoryMerge(t *testing.T) {
	t.Parallel()
	f := func(ix, v string, line int) store.Fact {
		return store.Fact{Entity: "e", Index: ix, Value: v, Line: line, File: "f.csv"}
	}
	row := func(v string, seq int64, line int) memoryRow {
		return memoryRow{Value: v, Seq: seq, Line: line, File: "f.csv"}
	}
	pending := []memoryPiece{
		{facts: []store.Fact{f("key", "a", 10), f("u0", "a", 10), f("key", "b", 11), {Entity: "other", Index: "key", Value: "c", Line: 12}}},
		{facts: []store.Fact{f("key", "a", 20), f("u0", "a", 20), f("u0", "b", 21), f("u0", "b", 22), f("key", "z", 23)}},
	}
	// Rows as the table may give them, in any order: "c" kept three times (lines 2, 3
	// and 4), "collides" a value with the hash of one asked.
	rows := []memoryRow{row("c", 5, 3), row("a", 1, 1), row("c", 2, 2), row("collides", 3, 3), row("c", 9, 4)}
	for _, c := range []struct {
		index string
		want  map[string]int
	}{
		{"key", map[string]int{"a": 20, "b": 11, "c": 4}}, // the latest, written or not
		{"u0", map[string]int{"a": 1, "b": 21, "c": 2}},   // the first: written before pending
	} {
		facts, err := merge("e", c.index, []string{"a", "b", "c", "d"}, rows, pending)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, g := range facts {
			got[g.Value] = g.Line
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("merge(%s) = %v, want %v", c.index, got, c.want)
		}
	}
}

// TestMemoryWithoutLocalInfile: a server that refuses LOAD DATA LOCAL INFILE refuses the
// Memory when it opens, not at its first fact (the run then keeps its rows in the
// process, saying why).
func TestMemoryWithoutLocalInfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := mariadbtest.StartServer(t, "--local-infile=0")
	db, err := Open(ctx, mariadbtest.NewDatabaseOn(t, srv.DSN))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	mem, err := db.OpenMemory(ctx)
	if err == nil {
		mem.Close()
		t.Fatal("OpenMemory succeeded on a server without local_infile")
	}
	if !strings.Contains(err.Error(), "run memory") || !strings.Contains(strings.ToLower(err.Error()), "infile") {
		t.Errorf("OpenMemory: %v, want the server's refusal of LOAD DATA LOCAL INFILE", err)
	}
}

// TestMemoryShared: the run memory a dry run opens writes its facts on memoryShards
// connections at once, each fact to one of them (a later fact of a value replacing an
// earlier one there), and recalls each from where it went.
func TestMemoryShared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	mem, err := db.OpenMemory(ctx)
	if err != nil {
		t.Fatalf("OpenMemory: %v", err)
	}
	defer mem.Close()
	var facts []store.Fact
	var values []string
	for i := range 3000 {
		v := fmt.Sprintf("k%d", i)
		values = append(values, v)
		facts = append(facts, store.Fact{Entity: "projets", Index: "key", Value: v, Line: i + 2, File: "a.csv"})
	}
	if err := mem.Keep(ctx, facts); err != nil {
		t.Fatal(err)
	}
	later := []store.Fact{{Entity: "projets", Index: "key", Value: "k7", Line: 9999, File: "b.csv", Values: []string{"7"}}}
	if err := mem.Keep(ctx, later); err != nil {
		t.Fatal(err)
	}
	got := map[string]store.Fact{}
	err = mem.Recall(ctx, "projets", "key", append(values, "absent"), func(f store.Fact) error {
		got[f.Value] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3000 || got["k7"].Line != 9999 || got["k7"].File != "b.csv" || got["k8"].Line != 10 {
		t.Errorf("recalled %d facts, k7 %+v, k8 %+v; want 3000, k7 at line 9999 of b.csv, k8 at line 10", len(got), got["k7"], got["k8"])
	}
	s := mem.(*shards)
	for i, m := range s.of {
		if _, ok := m.codes[[2]string{"projets", "key"}]; !ok {
			t.Errorf("shard %d of %d kept no fact: the facts are not shared", i, len(s.of))
		}
	}
}
