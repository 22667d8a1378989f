package migrate

import (
	"context"

	"dmt/pkg/check"
	"dmt/pkg/store"
)

// Store is what the loading engine (Run) needs of the database, declared here where
// it is used so that the engine depends on these calls and not on the whole store: the
// journal's files and the batches (the rows already loaded are the checker's to look
// up: see check.Lookup). The values it carries (Batch, Row, Refusal) are plain records
// of pkg/store; the programs hand the engine a store package's database (*mariadb.DB),
// which this package does not import.
type Store interface {
	// LastComplete returns the latest run of tool on domain, other than exceptRun,
	// that read a file with the SHA-256 sha to its end, and whether there is one.
	LastComplete(ctx context.Context, tool, domain, sha, exceptRun string) (store.CompleteFile, bool, error)
	// RejectedLines returns the codes that run rejected in file, by line.
	RejectedLines(ctx context.Context, runID, file string) (map[int]string, error)
	// AddFile records that the run starts reading file, of entity.
	AddFile(ctx context.Context, runID, file, entity string) error
	// LoadBatch writes b whole or not at all, and returns its rows the database refused.
	LoadBatch(ctx context.Context, b *store.Batch) ([]store.Refusal, error)
	// BatchFull reports whether b is as large as one transaction may be.
	BatchFull(b *store.Batch) bool
	// FinishFile records that the run read file whole.
	FinishFile(ctx context.Context, runID, file, sha256 string, size int64) error
}

// JobStore is what a Job needs of the database besides the engine's Store: the
// database's domain and schema, the run lease under which a run writes, and the run's
// row of the journal.
type JobStore interface {
	Store
	// The checker looks the rows a chunk mentions up through it.
	check.Lookup
	// SchemaEmpty reports whether nothing of the toolkit is in the database yet.
	SchemaEmpty(ctx context.Context, domain string) (bool, error)
	// OpenMemory opens a session table where a dry run keeps its rows.
	OpenMemory(ctx context.Context) (store.RunMemory, error)
	// Describe names the database in messages and reports: address and database.
	Describe() string
	// CheckDomain refuses a database that belongs to another domain.
	CheckDomain(ctx context.Context, domain string) error
	// CheckDryRun refuses a schema a run that writes nothing could not read: one that
	// is neither current nor empty.
	CheckDryRun(ctx context.Context, domain string) error
	// AcquireLease waits for the lease req names and takes it.
	AcquireLease(ctx context.Context, req store.LeaseRequest) (store.Lease, error)
	// Migrate brings the database to the schema of domain; the caller holds the lease.
	Migrate(ctx context.Context, domain, runID string) error
	// MarkInterrupted marks failed the runs of tool on domain still recorded as
	// running, and returns their ids; the caller holds the lease.
	MarkInterrupted(ctx context.Context, tool, domain, byRun string) ([]string, error)
	// StartRun records r as running.
	StartRun(ctx context.Context, r store.Run) error
	// FinishRun records the end of a run: its status, totals and message. It is called
	// after the run's context may have been cancelled, and works without it.
	FinishRun(runID, status string, total store.Counts, message string) error
	// Close releases the database.
	Close() error
}
