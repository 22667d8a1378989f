package check

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/store"
)

// EmptyTables answers as a database whose tables hold no row (for this package's
// tests, internal and external).
type EmptyTables struct{}

func (EmptyTables) Extent(context.Context, *domain.Entity) (store.Extent, error) {
	return store.Extent{Empty: true}, nil
}

func (EmptyTables) Find(context.Context, *domain.Entity, []string, [][]string, []string, bool, func(store.Stored) error) error {
	return nil
}

// TestExtentsLetGoAtTheNextFile: the Bloom filter of an entity loaded into an empty
// table (4 MiB) lives as long as its file, not the run: a run loading clients,
// intervenants and projets into empty tables held 12 MiB of them to its end.
func TestExtentsLetGoAtTheNextFile(t *testing.T) {
	ctx := context.Background()
	c := New(domain.Clevity(), model.Date{Year: 2026, Month: 11, Day: 15})
	c.Use(EmptyTables{}, LocalMemory(), "run", true)
	for _, name := range []string{"clients", "intervenants"} {
		c.SetSource(name + ".csv")
		if err := c.readExtent(ctx, c.states[name]); err != nil {
			t.Fatal(err)
		}
		if c.states[name].extent.added == nil {
			t.Fatalf("%s: no Bloom filter for an empty table", name)
		}
	}
	if c.states["clients"].extent.added != nil {
		t.Error("the Bloom filter of clients.csv is kept while intervenants.csv is read")
	}
	if c.states["intervenants"].extent.added == nil {
		t.Error("the Bloom filter of the file being read was let go")
	}
}

// TestEmptyIndexLetsGoOfItsRoom: an index emptied after holding many entries (the
// window of a file read whole) gives its map's room back: a Go map keeps the room of its
// largest size, and each file's window kept its batches' room to the run's end.
func TestEmptyIndexLetsGoOfItsRoom(t *testing.T) {
	ix := newIndex("key", false, nil)
	entries := make([]*entry, 200_000)
	for i := range entries {
		entries[i] = &entry{}
		ix.put(strconv.Itoa(i), entries[i])
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, e := range entries {
		ix.remove(e)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if freed := int64(before.HeapAlloc) - int64(after.HeapAlloc); freed < 4<<20 {
		t.Errorf("emptying an index of 200,000 entries freed %d bytes, want its map's room (several MB)", freed)
	}
	runtime.KeepAlive(entries)
	runtime.KeepAlive(ix)
}
