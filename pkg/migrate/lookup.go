package migrate

import (
	"context"
	"errors"

	"dmt/pkg/schema"
)

// errNoTables says that a dry run's database has no tables yet: it holds no rows.
var errNoTables = errors.New("the database has no tables yet")

// lookUp lets the run's checker look up, a chunk of rows at a time, the stored rows the
// chunk mentions (nothing is read at the start, whatever the database holds), and keep
// what its window lets go in a session's temporary table, released with the run. A dry
// run on a database without tables judges the files alone, against no stored row.
func (r *jobRun) lookUp(ctx context.Context) error {
	if r.DryRun {
		steps, err := schema.Steps(r.Domain.Name)
		if err != nil {
			return err
		}
		st, err := r.db.ReadSchemaState(ctx, steps)
		if err != nil {
			return err
		}
		if st.Empty {
			return errNoTables
		}
	}
	mem := r.db.NewMemory()
	r.closers = append(r.closers, func() { mem.Close() })
	r.checker.Use(r.db, mem, r.runID, !r.DryRun)
	return nil
}
