package store

import "context"

// Stored is a row found in the database by a look-up: its canonical values aligned with
// its entity's fields ("" for NULL, a list's items joined by "|"), and the run, file and
// line that wrote it (its lineage columns).
type Stored struct {
	Values []string
	RunID  string
	File   string
	Line   int
}

// Fact is something a checker learnt of its run that the business tables do not hold
// once the batch it came with is committed: the key of a rejected row, a reference row
// the source holds as already loaded, or, in a dry run, a row a real run would have
// written. Index names what Value is: "key" (the row's key; Values is the row),
// "rejected" (a rejected row's key), or an index of the checker's own ("u0" for the
// first unique set, "c0" for the first consistency). Line and File say where the run
// read it.
type Fact struct {
	Entity string
	Index  string
	Value  string
	Line   int
	File   string
	Values []string
}

// Extent is what a table holds, as a look-up needs to know it before it looks: whether
// it is empty and, for a table keyed by one whole number (Numeric), the smallest and
// largest of its keys.
type Extent struct {
	Empty   bool
	Numeric bool
	Lo, Hi  int64
}

// RunMemory keeps a run's facts out of the process (a store's session table): what a
// checker learnt of its run that the business tables do not hold. Close releases it.
type RunMemory interface {
	// Keep records facts (see check.Memory for which replace which). It may hold
	// them (the slice and its values) until they are written: the caller must not
	// change them.
	Keep(ctx context.Context, facts []Fact) error
	// Recall calls fn with the facts of entity and index whose value is one of values.
	Recall(ctx context.Context, entity, index string, values []string, fn func(Fact) error) error
	Close() error
}
