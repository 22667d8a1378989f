package migrate

import (
	"context"
	"errors"

	"dmt/pkg/check"
)

// errNoTables says that a dry run's database has no tables yet: it holds no rows.
var errNoTables = errors.New("the database has no tables yet")

// lookUp lets the run's checker look up, a chunk of rows at a time, the stored rows the
// chunk mentions: nothing is read at the start, whatever the database holds. A dry run
// on a database without tables judges the files against no stored row.
func (r *jobRun) lookUp(ctx context.Context) error {
	if r.DryRun {
		empty, err := r.db.SchemaEmpty(ctx, r.Domain.Name)
		if err != nil {
			return err
		}
		if empty {
			return errNoTables
		}
	}
	r.checker.Use(r.db, r.memory(ctx), r.runID, !r.DryRun)
	return nil
}

// memory is where the checker keeps what its window lets go that the tables do not
// hold. A writing run keeps little there (the keys of its rejected rows, the reference
// rows its source holds as already loaded): in the process. A dry run keeps there every
// row a real run would have committed: in a session's temporary table, so that the
// process's memory stays flat, or in the process when the account may not create one.
func (r *jobRun) memory(ctx context.Context) check.Memory {
	if !r.DryRun {
		return check.LocalMemory()
	}
	mem, err := r.db.OpenMemory(ctx)
	if err != nil {
		r.log.Warn("memory", "detail", "the run's rows are kept in memory, not in a temporary table: "+err.Error())
		return check.LocalMemory()
	}
	r.closers = append(r.closers, func() { mem.Close() })
	return mem
}
