// Package store holds the records that cross between the engines (pkg/migrate,
// pkg/validate, pkg/rapport) and a store (pkg/mariadb): what the journal records of
// runs and files, the batches a load writes and what the database refused of them, the
// run lease, a check's stored verdict, and the history the final report tells.
//
// It is plain data: no SQL, no driver. An engine declares the methods it needs of the
// database in its own package (migrate.Store, migrate.JobStore, validate.Store), in
// terms of these types; a store package implements them and fills these types; the two
// never import each other, and cmd/* wires them. A new target database is then a new
// store package, with nothing to change above it.
package store

// Run statuses, as the journal records them and validate and the final report read
// them.
const (
	StatusRunning    = "running"
	StatusOK         = "ok"
	StatusDataErrors = "data_errors"
	StatusFailed     = "failed"
)

// LoadingTools are the tools whose runs read source files and write business rows
// (journal_files): the latest run of each must have finished for the database to be
// whole, and a run of one that did not finish is an interruption.
var LoadingTools = []string{"migration", "reprise"}

// The db tags of the records below name the journal's columns (as the schema names
// them, whatever the server), so that a store reads a row into a record by name.

// FileRun is one run's accounting of one source file.
type FileRun struct {
	RunID    string `db:"run_id"`
	Tool     string `db:"tool"`
	Status   string `db:"status"`
	Read     int    `db:"read"`
	Inserted int    `db:"inserted"`
	Rejected int    `db:"rejected"`
	Ignored  int    `db:"ignored"`
	Updated  int    `db:"updated"` // loaded rows replaced (reference data that changed)
}

// LoadRun is the latest run of a loading tool, as the journal records it.
type LoadRun struct {
	RunID   string `db:"run_id"`
	Tool    string `db:"tool"`
	Status  string `db:"status"`
	Started string `db:"started"` // UTC, YYYY-MM-DD HH:MM:SS
	Message string `db:"message"`
}

// CheckResult is one check's verdict in one validate run, as the store keeps it for
// the final report.
type CheckResult struct {
	Name, Kind string
	Status     string // PASS, WARN or FAIL
	Count      int
	Sample     []string
	Rule       string // what the check verifies, in words
	Error      string // the check could not run ("" when it ran)
}

// Column is what the schema of a database guarantees of one of its columns, whatever
// the rows: whether it may hold NULL, the most characters it can hold (0 when its type
// bounds them in no characters: numbers, dates, TEXT), and whether it is, alone, its
// table's primary key (no two rows share a value). Uniques lists the unique indexes
// (the primary key included) whose first column it is: each index's columns joined by
// ",", the indexes by ";" ("" for none).
type Column struct {
	Table    string `db:"tbl"`
	Name     string `db:"name"`
	Nullable bool   `db:"nullable"`
	MaxChars int64  `db:"max_chars"`
	Key      bool   `db:"pk"`
	Uniques  string `db:"uniques"`
}
