package migrate

import (
	"context"

	"dmt/pkg/mariadb"
)

// Store is what the loading engine needs of the database, declared here where it is
// used so that the engine depends on these calls and not on the whole store: the
// journal's files and the batches (the rows already loaded are the checker's to look
// up: see check.Lookup). *mariadb.DB is the store the programs use; the values it
// carries (Batch, Row, Refusal) are the store's.
type Store interface {
	// LastComplete returns the latest run of tool on domain, other than exceptRun,
	// that read a file with the SHA-256 sha to its end, and whether there is one.
	LastComplete(ctx context.Context, tool, domain, sha, exceptRun string) (mariadb.CompleteFile, bool, error)
	// RejectedLines returns the codes that run rejected in file, by line.
	RejectedLines(ctx context.Context, runID, file string) (map[int]string, error)
	// AddFile records that the run starts reading file, of entity.
	AddFile(ctx context.Context, runID, file, entity string) error
	// LoadBatch writes b whole or not at all, and returns its rows the database refused.
	LoadBatch(ctx context.Context, b *mariadb.Batch) ([]mariadb.Refusal, error)
	// BatchFull reports whether b is as large as one transaction may be.
	BatchFull(b *mariadb.Batch) bool
	// FinishFile records that the run read file whole.
	FinishFile(ctx context.Context, runID, file, sha256 string, size int64) error
}

var _ Store = (*mariadb.DB)(nil)
