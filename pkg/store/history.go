package store

import "time"

// The db tags name the columns a store reads each field from (see store.go); a field
// tagged "-" is derived by the store (a time read as text, a verdict).

// Counts is the accounting of rows: read = inserted + rejected + ignored + updated.
type Counts struct {
	Read     int64 `db:"read"`
	Inserted int64 `db:"inserted"`
	Rejected int64 `db:"rejected"`
	Ignored  int64 `db:"ignored"`
	Updated  int64 `db:"updated"`
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
	Tool   string `db:"tool"`
	File   string `db:"file"`
	Entity string `db:"entity"`
	Runs   int    `db:"runs"`
	Counts
}

// Source is one content of a source file received and read whole: its name, SHA-256,
// size, and the first run that read it.
type Source struct {
	File      string    `db:"file"`
	Entity    string    `db:"entity"`
	SHA256    string    `db:"sha256"`
	Size      int64     `db:"size"`
	FirstRun  string    `db:"first_run"`
	FirstSeen time.Time `db:"-"`
	Runs      int       `db:"runs"`
}

// TableRows is the number of rows of a table now.
type TableRows struct {
	Table string
	Rows  int64
}

// Example is one real row behind a figure: where it was read, its text as received
// and why it was refused.
type Example struct {
	File   string `db:"file"`
	Line   int64  `db:"line"`
	Raw    string `db:"raw"`
	Detail string `db:"detail"`
}

// CodeCount is how many rows carry a code (a row may carry several), with examples.
type CodeCount struct {
	Code     string
	Rows     int64
	Examples []Example
}

// Change is one value corrected by reprise.
type Change struct {
	File   string `db:"file"`
	Line   int64  `db:"line"`
	Field  string `db:"field"`
	Before string `db:"before_value"`
	After  string `db:"after_value"`
}

// RuleCount is how many values one rule of reprise corrected, with examples.
type RuleCount struct {
	Rule     string   `db:"rule"`
	Count    int64    `db:"count"`
	Examples []Change `db:"-"`
}

// Quarantine is what the latest reprise run of an entity left in its quarantine file.
type Quarantine struct {
	Entity string    `db:"entity"`
	RunID  string    `db:"run_id"`
	When   time.Time `db:"-"`
	Rows   int64     `db:"rows"`
}

// Validation is one validate run: its verdict (PASS, WARN, FAIL, or ERROR when checks
// could not run) and the counts of its checks (zero when its results were not stored).
type Validation struct {
	RunID    string    `db:"run_id"`
	Started  time.Time `db:"-"`
	Status   string    `db:"-"` // the verdict, not the journal's status
	Checks   int       `db:"checks"`
	Failed   int       `db:"failed"`
	Warnings int       `db:"warnings"`
	Errors   int       `db:"errors"` // checks that could not run
	Stored   bool      `db:"-"`      // validate_results holds its checks
	Message  string    `db:"message"`
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
	ID      string    `db:"run_id"`
	Tool    string    `db:"tool"`
	Domain  string    `db:"domain"`
	Host    string    `db:"host"` // the machine it ran on
	Args    string    `db:"args"` // its command line, passwords redacted
	Status  string    `db:"status"`
	Started time.Time `db:"-"`
	Ended   time.Time `db:"-"` // zero while running or when it died
	Message string    `db:"message"`
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
