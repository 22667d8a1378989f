package cli

import (
	"flag"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"dmt/pkg/domain"
	"dmt/pkg/model"
)

// LoadFlags are the flags the two programs that write rows (migration, reprise) share:
// the database and whether to create it, the domain, a dry run, the batch size, the date
// taken as today, and quiet. One definition, so the two programs cannot drift apart.
type LoadFlags struct {
	DSN      *string
	CreateDB *bool
	DryRun   *bool
	Quiet    *bool
	domain   *string
	batch    func() (int, error)
	today    func() (model.Date, error)
}

// Load is what LoadFlags say once parsed and checked.
type Load struct {
	Domain *domain.Domain
	Batch  int
	Today  model.Date
}

// NewLoadFlags defines the shared flags on fs; dryRun says what -dry-run does in this
// program.
func NewLoadFlags(fs *flag.FlagSet, dryRun string) *LoadFlags {
	return &LoadFlags{
		DSN:      DSN(fs),
		domain:   Domain(fs),
		CreateDB: CreateDB(fs),
		DryRun:   fs.Bool("dry-run", false, dryRun),
		batch:    Batch(fs),
		today:    TodayFlag(fs, "date taken as today by the not-in-the-future checks"),
		Quiet:    Quiet(fs),
	}
}

// Resolve checks the parsed flags: a known domain, a positive batch, a valid date.
func (f *LoadFlags) Resolve() (Load, error) {
	d, err := LookupDomain(*f.domain)
	if err != nil {
		return Load{}, err
	}
	batch, err := f.batch()
	if err != nil {
		return Load{}, err
	}
	if boundMemory {
		limitMemory(softLimit(batch))
	}
	day, err := f.today()
	if err != nil {
		return Load{}, err
	}
	return Load{Domain: d, Batch: batch, Today: day}, nil
}

// NeedDSN is the error of a run that writes without a database (nil for a dry run).
func (f *LoadFlags) NeedDSN() error {
	if *f.DryRun {
		return nil
	}
	return RequireDSN(*f.DSN)
}

// MainLoad is Main for the programs that write rows. Their heap is the batches in flight
// and the checker's bounded caches: a soft limit (see softLimit) keeps the garbage from
// taking the process past 100 MB, and under it the collector runs at the default growth
// (see limitMemory).
func MainLoad(name string, run RunFunc) {
	boundMemory = true
	Main(name, run)
}

// Growth of the heap between collections (GOGC): the default while the soft limit
// holds, under half of it once the limit is lifted.
const (
	limitedGrowth = 100
	liftedGrowth  = 40
)

// boundMemory: Resolve sets the soft memory limit of the process (a program's, not a
// test's, which runs many programs in one process).
var boundMemory bool

// softLimit is the soft memory limit of a program that loads batches of batch rows:
// 88 MiB up to batches of 10,000 rows, whose live heap is about 55 MiB (the limit
// leaves it the room of a 40 % growth); larger batches hold more, so their limit grows
// with them, or the collector would run without end.
func softLimit(batch int) int64 {
	const rows = 10000
	return int64(88<<20) * int64(max(batch, rows)) / rows
}

// limitMemory sets the soft limit, and lifts it for good once the live heap passes
// four fifths of it (a dry run holding its queue of facts, a run keeping its facts in
// the process): nearer the limit the collector would run without end, costing many
// times the run's time for little memory; a 40 % growth then bounds the heap alone.
// Below four fifths the limit keeps the process's memory within it: lifted at three
// quarters, a run whose live heap peaked at 67-72 MB (the parents of five million
// affectations) reached 102-112 MB, held at four fifths 93-95 MB, for the same CPU.
//
// While the limit holds, the heap grows by the default 100 % between collections, up
// to the limit: the process stays under it all the same, and a smaller live heap is
// collected less often (a run of 200,000 affectations with their parents, whose live
// heap grows to 50 MB: 24 collections instead of 42 at 40 %). The
// collector's marking took a fifth of the program's CPU at 40 %, and on a cluster's
// shared cores that CPU is the nodes' too. (At a million affectations the live heap,
// 57 MB, leaves the limit the bound either way.)
func limitMemory(limit int64) {
	debug.SetMemoryLimit(limit)
	debug.SetGCPercent(limitedGrowth)
	go func() {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for range t.C {
			metrics.Read(s)
			if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64() > uint64(limit)/5*4 {
				debug.SetGCPercent(liftedGrowth)
				debug.SetMemoryLimit(math.MaxInt64)
				return
			}
		}
	}()
}
