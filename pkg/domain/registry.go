package domain

import (
	"strings"

	"dmt/pkg/schema"
)

// registry lists every domain the toolkit knows, each once, the default of -domain
// first. A new domain is one line here, with what it names: its Domain value, its schema
// steps (pkg/schema/migrations/NNNN_NAME_*.sql, scoped by its name) and their readable
// whole (its SchemaFile, at the repository's root). Programs, flags, messages, docs and
// tests take the list from here.
var registry = []func() *Domain{Clevity, Distributech}

// JournalSchemaFile is the readable whole of the tables every domain's database holds
// (journal, journal_files, journal_batches, rejections, schema_version, run_lease, ...),
// at the repository's root; the steps of scope journal build it.
const JournalSchemaFile = "schema_journal.sql"

// Names returns the names of the registered domains, the default first.
func Names() []string {
	names := make([]string, len(registry))
	for i, build := range registry {
		names[i] = build().Name
	}
	return names
}

// DefaultName is the domain a program works on without -domain.
func DefaultName() string { return registry[0]().Name }

// Choices returns the registered names for a message: "clevity or distributech".
func Choices() string { return strings.Join(Names(), " or ") }

// ByName returns the registered domain called name (in any case), a value of its own
// that the caller may change, or nil.
func ByName(name string) *Domain {
	for _, build := range registry {
		if d := build(); strings.EqualFold(d.Name, name) {
			return d
		}
	}
	return nil
}

// SchemaFiles returns the readable schema files of d's database, at the repository's
// root, in the order they apply: the journal's, then d's own.
func (d *Domain) SchemaFiles() []string { return []string{JournalSchemaFile, d.SchemaFile} }

// Steps returns the ordered steps that build d's database: the journal's and d's own.
func (d *Domain) Steps() ([]schema.Step, error) { return schema.Steps(d.Name) }
