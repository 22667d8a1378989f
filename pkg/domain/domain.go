// Package domain describes a business domain as data for the generic engine: its
// entities (one per file and table), their fields, keys, unique sets, references, rules
// and the order they load in. migration, validate and reprise are written once, against
// this description; clevity and distributech are two values of it.
package domain

import (
	"path/filepath"
	"strings"

	"dmt/pkg/rules"
)

// Domain is a set of entities, listed in load order: an entity comes after every
// entity it refers to.
type Domain struct {
	Name string
	// SchemaFile is the readable whole of the domain's own tables, at the repository's
	// root ("schema.sql"): its database is JournalSchemaFile's tables and these, built by
	// the ordered steps that Steps returns.
	SchemaFile string
	Entities   []*Entity
	// SQLiteFile is the name of the SQLite file an input folder holds, for entities
	// read from SQLite.
	SQLiteFile string
	// Checks are the domain's own whole-database checks for validate, beyond those its
	// entities imply (distributech's stock coherence).
	Checks []Check
	// Derived are the tables the entities' AfterLoad SQL writes, with what their row
	// fingerprints cover, so that validate can recompute them.
	Derived []Derived
}

// Check is a whole-database rule as one query selecting one column, k: a key (or a
// short text) per offending row, so a report can show samples. Kind groups checks in
// validate's report (a domain's own checks are consistency checks when it is empty).
// A Warn check reports without failing. Validate builds its checks of this type too.
type Check struct {
	Name        string
	Kind        string
	Description string
	Query       string
	Warn        bool // findings are warnings: the check never fails
}

// Entity is one file of the contract and the table it loads into (same name).
type Entity struct {
	Name   string
	File   string // file name in an input folder: "clients.csv"
	Fields []rules.Field
	// Key is the primary key's columns: one (id_client), or several for a composite
	// key (numero_commande, ref_produit).
	Key         []string
	Uniques     []Unique
	Refs        []Ref
	RowRules    []rules.RowRule
	ParentRules []ParentCheck
	Lists       []List
	// Consistent lists column sets that rows sharing a value must agree on: the lines of
	// one order have one reseller and one date.
	Consistent []Consistency
	// Headers are rows derived from this entity's rows and written before them (an order
	// from its lines): Table(Columns...), keyed by Columns[0], never overwritten.
	Headers []Header
	// AfterLoad is SQL run in each batch's transaction after its rows are written, with
	// the run id, the source file and the batch's first and last line as parameters
	// (distributech writes its stock movements so).
	AfterLoad string
	// SQLiteTable is the table of the domain's SQLite file this entity is read from;
	// Pattern, a glob of files in the input folder (commandes/*.csv); else File.
	SQLiteTable string
	Pattern     string
	// History names the table that keeps the entity's earlier values
	// (produits_historique), for reference data that changes at its source: a product
	// renamed or repriced, a reseller moved. A row whose key is loaded with other content
	// then replaces the loaded row, its old values kept in History with the dates they
	// were in force, instead of being a conflict. Facts (stock snapshots, receipts, order
	// lines) have none: a changed fact stays a DUPLICATE_KEY_CONFLICT.
	History string
}

// Consistency says that rows with the same Key value have the same Columns values.
type Consistency struct {
	Key     string
	Columns []string
}

// Header is a table of rows derived from an entity's rows.
type Header struct {
	Table   string
	Columns []string
}

// Unique is a set of columns no two rows may share (compared case-insensitively,
// trimmed), and the code of the violation. A Warn unique is only worth a warning from
// validate (two clients with the same name in the same city): rows are not refused.
type Unique struct {
	Name    string
	Columns []string
	Code    rules.Code
	Warn    bool
}

// Ref is a reference: Column holds the key of a row of Parent.
type Ref struct {
	Column string
	Parent string
}

// ParentCheck applies a ParentRule to the row Ref points to.
type ParentCheck struct {
	Ref  Ref
	Rule rules.ParentRule
}

// List is a list column stored as rows of its own table: Table(key column, ItemColumn).
type List struct {
	Column     string
	Table      string
	ItemColumn string
}

// Index returns the position of column in e.Fields, or -1.
func (e *Entity) Index(column string) int {
	for i := range e.Fields {
		if e.Fields[i].Name == column {
			return i
		}
	}
	return -1
}

// KeyName names e's key in messages, logs and check names: its column, or its columns
// joined by "+" (numero_commande+ref_produit).
func (e *Entity) KeyName() string { return strings.Join(e.Key, "+") }

// KeyColumn returns the key's column, for what only an entity keyed by one column has:
// its list tables and its history table join on it, and references point to it. It
// returns "" for a composite key (the domain's tests check that no such entity has
// lists, history or children).
func (e *Entity) KeyColumn() string {
	if len(e.Key) != 1 {
		return ""
	}
	return e.Key[0]
}

// KeyIndexes returns the positions of e's key columns in e.Fields.
func (e *Entity) KeyIndexes() []int {
	idx := make([]int, len(e.Key))
	for i, c := range e.Key {
		idx[i] = e.Index(c)
	}
	return idx
}

// KeyOf returns the key of a row (values aligned with e.Fields): its key column's value,
// or its key columns' values joined by "/".
func (e *Entity) KeyOf(vals []string) string {
	if len(e.Key) == 1 {
		return vals[e.Index(e.Key[0])]
	}
	parts := make([]string, len(e.Key))
	for i, c := range e.Key {
		parts[i] = vals[e.Index(c)]
	}
	return strings.Join(parts, "/")
}

// Field returns the field named column, or nil.
func (e *Entity) Field(column string) *rules.Field {
	if i := e.Index(column); i >= 0 {
		return &e.Fields[i]
	}
	return nil
}

// Columns returns the names of e's fields, in order.
func (e *Entity) Columns() []string {
	cols := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		cols[i] = f.Name
	}
	return cols
}

// Required returns the names of e's required fields: a file without one of these
// columns cannot be loaded.
func (e *Entity) Required() []string {
	var cols []string
	for _, f := range e.Fields {
		if f.Required {
			cols = append(cols, f.Name)
		}
	}
	return cols
}

// List returns the list column named column, or nil.
func (e *Entity) List(column string) *List {
	for i := range e.Lists {
		if e.Lists[i].Column == column {
			return &e.Lists[i]
		}
	}
	return nil
}

// Entity returns the entity named name, or nil.
func (d *Domain) Entity(name string) *Entity {
	for _, e := range d.Entities {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// EntityForFile returns the entity whose file path names, nil when none does. The
// names the toolkit itself writes are understood, so that its outputs can be fed back
// without -entity: "projets.csv", "rejets/clients.csv", "quarantaine_projets.csv" (and
// its kept versions), "rejets/distributech.sqlite_produits.csv"; a name that starts with
// the entity's ("projets_corrompus.csv", "clients_lyon.csv"); a file of an entity read
// by pattern, named after the pattern's folder ("commandes_2026-W07_R012.csv" for
// commandes/*.csv).
func (d *Domain) EntityForFile(path string) *Entity {
	base := strings.ToLower(filepath.Base(path))
	base = strings.TrimPrefix(base, "quarantaine_")
	if d.SQLiteFile != "" {
		base = strings.TrimPrefix(base, strings.ToLower(d.SQLiteFile)+"_")
	}
	var best *Entity
	for _, e := range d.Entities {
		if base == e.File || base == e.Name+".csv" {
			return e
		}
		if e.Pattern != "" {
			if ok, _ := filepath.Match(e.Pattern, filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path)))); ok {
				return e
			}
			if dir := filepath.Dir(e.Pattern); dir != "." && strings.HasPrefix(base, dir) {
				return e
			}
		}
		if strings.HasPrefix(base, e.Name) && (best == nil || len(e.Name) > len(best.Name)) {
			best = e
		}
	}
	return best
}

// EntityNames returns the names of d's entities, in load order, for messages that list
// the valid ones.
func (d *Domain) EntityNames() []string {
	names := make([]string, len(d.Entities))
	for i, e := range d.Entities {
		names[i] = e.Name
	}
	return names
}
