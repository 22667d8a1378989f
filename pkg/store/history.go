package store

import "time"

// Counts is the accounting of rows: read = inserted + rejected + ignored + updated.
type Counts struct {
	Read, Inserted, Rejected, Ignored, Updated int64
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Read += o.Read
	c.Inserted += o.Inserted
	c.Rejected += o.Rejected
	c.Ignored += o.Ignored
	c.Updated += o.Updated
}

// Balanced reports whether every row read is accounted for.
func (c Counts) Balanced() bool { return c.Read == c.Inserted+c.Rejected+c.Ignored+c.Updated }

// FileTotals is what the runs of one tool did with one source file (for clevity, an
// agency's file: each agency sends its own), summed over the runs of the period.
type FileTotals struct {
	Tool, File, Entity string
	Runs               int
	Counts
}

// Source is one content of a source file received and read whole: its name, SHA-256,
// size, and the first run that read it.
type Source struct {
	File, Entity, SHA256 string
	Size                 int64
	FirstRun             string
	FirstSeen            time.Time
	Runs                 int
}

// TableRows is the number of rows of a table now.
type TableRows struct {
	Table string
	Rows  int64
}

// Example is one real row behind a figure: where it was read, its text as received
// and why it was refused.
type Example struct {
	File   string
	Line   int64
	Raw    string
	Detail string
}

// CodeCount is how many rows carry a code (a row may carry several), with examples.
type CodeCount struct {
	Code     string
	Rows     int64
	Examples []Example
}

// Change is one value corrected by reprise.
type Change struct {
	File          string
	Line          int64
	Field         string
	Before, After string
}

// RuleCount is how many values one rule of reprise corrected, with examples.
type RuleCount struct {
	Rule     string
	Count    int64
	Examples []Change
}

// Quarantine is what the latest reprise run of an entity left in its quarantine file.
type Quarantine struct {
	Entity string
	RunID  string
	When   time.Time
	Rows   int64
}

// Validation is one validate run: its verdict (PASS, WARN or FAIL) and the counts of
// its checks (zero when its results were not stored).
type Validation struct {
	RunID                    string
	Started                  time.Time
	Status                   string
	Checks, Failed, Warnings int
	Stored                   bool // validate_results holds its checks
	Message                  string
}

// CheckHistory is a check that failed at least once in the period: when first and
// last, how many runs, and the first later run where it passed (zero when it still
// fails).
type CheckHistory struct {
	Name                    string
	FirstFailed, LastFailed time.Time
	FailedRuns              int
	LastCount               int64
	Fixed                   time.Time
	FixedBy                 string
	Rule                    string
}

// Run is one run of any tool, from the journal.
type Run struct {
	ID, Tool, Status string
	Started          time.Time
	Ended            time.Time // zero while running or when it died
	Message          string
	Counts
}

// Interruption is a run that did not finish and the run that finished its job: the
// next complete run of the same tool over the files it left unfinished (by name: an
// unfinished file's SHA-256 is not recorded).
type Interruption struct {
	Run        Run
	Unfinished []string
	FinishedBy string
	FinishedAt time.Time
}

// Product is one product's stock, for distributech.
type Product struct {
	Ref, Nom      string
	Actuel, Seuil int64
	Status        string
}

// Stock is distributech's stock at the report's date.
type Stock struct {
	At       string
	ByStatus map[string]int
	Products []Product // at or under their threshold, by ref (the report orders them)
	Total    int
}

// Trace is one real row followed to its run and file: the queries and what they give.
type Trace struct {
	Query                 string // the query that read it, its one parameter the key
	Table, KeyColumn, Key string
	RunID                 string
	SourceFile            string
	SourceLine            int64
	OriginFile            string
	OriginLine            int64
	Tool                  string
	Started               time.Time
	SHA256                string
}

// History is what the database records of a domain's migration over a period: the
// runs and their files, the rejections by code with examples, reprise's corrections
// and quarantine, validate's results, the rows per table now, a row traced to its
// origin and, for distributech, the stock at a date. A store reads it; the final
// report (pkg/rapport) writes it.
type History struct {
	Files   []FileTotals
	Sources []Source
	Tables  []TableRows

	Codes        []CodeCount // migration's rejections by code
	Rejected     int64       // rows in those rejections
	Corrections  []RuleCount
	Corrected    int64       // values corrected
	Isolated     []CodeCount // reprise's rejections by code
	IsolatedRows int64
	Quarantine   []Quarantine

	Validations  []Validation
	FailedChecks []CheckHistory

	Runs        []Run
	Interrupted []Interruption
	Stock       *Stock
	Trace       *Trace
}
