package store

import "dmt/pkg/domain"

// The records of a load: what the loading engine (pkg/migrate) hands a store to write
// and what the store answers.

// Row is one accepted row to insert: canonical values aligned with the entity's Fields
// ("" is NULL) and the line of the source file it came from. A row re-injected from a
// file the toolkit wrote (rejected rows, quarantine) also names the first file and line
// it came from (OriginLine 0: it is read from its first file), stored in origin_file and
// origin_line while source_file and source_line keep the file and line this run read.
type Row struct {
	Values     []string
	Line       int
	OriginFile string
	OriginLine int
}

// Rejection is a row kept out of the tables, recorded in the rejections table.
type Rejection struct {
	Line   int
	Codes  string // comma-separated codes
	Detail string
	Raw    string
	// RawBytes is the size of the whole text when Raw holds only its start (a line too
	// long for the reader to hold): raw_bytes then records it. 0 when Raw is whole.
	RawBytes int
}

// CodesBytes is how many bytes of a rejection's codes the rejections table keeps.
const CodesBytes = 255

// SameCodes reports whether codes, as a run would record them, equal stored codes
// (which the rejections table keeps to their first CodesBytes bytes).
func SameCodes(stored, codes string) bool {
	return stored == codes[:min(len(codes), CodesBytes)]
}

// Correction is a value reprise corrected in a row of the batch, recorded in the
// corrections table with the batch, so that the final report can count them.
type Correction struct {
	Line       int
	OriginFile string // where a row fed back first came from ("" when read from its first file)
	OriginLine int
	Field      string
	Before     string
	After      string
	Rule       string
}

// Progress is what a batch adds to its file's journal counts; First and Line are the
// first and last source lines the batch accounts for (First is 0 when it accounts for
// none: the closing batch of a file whose lines all went in earlier batches).
type Progress struct {
	First, Line                                int
	Read, Inserted, Rejected, Ignored, Updated int
}

// DefaultBatch is the rows per transaction of every program that loads rows
// (migration, reprise, and migrate.Run when given none): one default, so the same
// files load in the same batches. A program's memory is its batches in flight (the one
// filled, the two written, the chunk judged), which the collector marks again and
// again: at 5,000 rows a load of a million affectations peaks at 80-83 MB and its
// collector takes 1.2 s of CPU, against 91-93 MB and 3.2 s at 10,000, for the same
// speed (the server's CPU per row did not change measurably).
const DefaultBatch = 5000

// Batch is what one transaction writes: accepted rows of one entity read from one file,
// the rejections found since the previous batch, and the journal progress that accounts
// for both. Either all of it is committed or none of it.
type Batch struct {
	RunID string
	Tool  string
	File  string // source file name recorded in lineage and journal
	// Seq numbers the batches of File within the run from 1: with RunID and File, the
	// key of the batch's journal_batches row.
	Seq        int
	Entity     *domain.Entity
	Rows       []Row
	Updates    []Row // rows replacing loaded rows with the same key (reprise -update, reference data)
	Rejections []Rejection
	// Corrections are the values corrected in the batch's rows (rejected ones included).
	Corrections []Correction
	Progress    Progress
	// Old holds, after the store wrote the batch, the values each of Updates replaced,
	// by line.
	Old map[int][]string
	// Date is the run's date (YYYY-MM-DD, its -today): for an entity with a History
	// table, the day the values of Updates come into force, and so the valid_to of the
	// values they replace ("": the server's date).
	Date string
	// Recovered says, after the store wrote the batch, what became of it when its
	// connection broke ("" when none did), for the log.
	Recovered string
	// Estimate is the store's running count of what the batch's transaction will write,
	// kept between the calls that ask whether the batch is full (a Galera cluster
	// bounds a transaction); the engine leaves it alone.
	Estimate Estimate
}

// Estimate is what a batch's transaction writes, as a store estimates it: Rows rows and
// Bytes bytes, counted over the batch's first CountedRows rows and CountedRejections
// rejections, so that the next count starts where this one stopped.
type Estimate struct {
	CountedRows, CountedRejections int
	Rows, Bytes                    int64
}

// Refusal is an accepted row that the database refused (a rule the Go checks missed):
// it was left out and recorded as a rejection with the server's message.
//
// Loaded marks a row refused because an identical row with its key is already stored
// (left by another run between the checker's look-up and the insert): it is counted as
// ignored (ALREADY_LOADED), not rejected, and recorded nowhere else.
type Refusal struct {
	Row     Row
	Message string
	Loaded  bool
}

// CompleteFile is an earlier run's complete reading of a file, found by its content.
type CompleteFile struct {
	RunID    string `db:"run_id"`
	File     string `db:"file"` // the name it had in that run
	Rejected int    `db:"rejected"`
}
