package mariadb

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"dmt/pkg/rules"
)

// Catalog is what information_schema says of one database's tables and views: the facts
// docs/database.md is generated from. It holds no database name, no auto-increment
// value and no time, and everything in it is sorted, so the same schema always gives
// the same Catalog.
type Catalog struct {
	Tables []Table
}

// Table is one table or view of a Catalog.
type Table struct {
	Name       string
	View       bool
	Definition string // a view's SELECT, the database name taken out
	Columns    []Column
	Indexes    []Index // primary key first, then by name
	Foreign    []ForeignKey
	Checks     []CheckConstraint
}

// Column is one column of a Table, in table order.
type Column struct {
	Name     string
	Type     string // as declared: varchar(150), decimal(12,2)
	Nullable bool
	Default  string // "" when none
	Extra    string // auto_increment, ...
}

// Index is a key of a Table: its primary key (Name "PRIMARY"), a unique key or a
// plain index, with its columns in key order.
type Index struct {
	Name    string
	Unique  bool
	Columns []string
}

// ForeignKey is a reference from Columns to RefTable(RefColumns).
type ForeignKey struct {
	Name       string
	Columns    []string
	RefTable   string
	RefColumns []string
	OnDelete   string // RESTRICT, CASCADE, ...
}

// CheckConstraint is a named CHECK of a table, its clause as the server shows it.
type CheckConstraint struct {
	Name   string
	Clause string
}

// Table returns the table named name, or nil.
func (c *Catalog) Table(name string) *Table {
	for i := range c.Tables {
		if c.Tables[i].Name == name {
			return &c.Tables[i]
		}
	}
	return nil
}

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// ReadCatalog reads the catalog of the database db is connected to, from
// information_schema only: it needs no privilege beyond those that let an account see
// the tables.
func (db *DB) ReadCatalog(ctx context.Context) (*Catalog, error) {
	var tables []struct {
		Name string `db:"name"`
		Type string `db:"type"`
	}
	if err := db.pool.SelectContext(ctx, &tables, `SELECT table_name AS name, table_type AS type FROM information_schema.tables
		WHERE table_schema = DATABASE() ORDER BY table_name`); err != nil {
		return nil, fmt.Errorf("catalog: tables: %w", FormatError(err))
	}
	cat := &Catalog{}
	byName := map[string]*Table{}
	for _, t := range tables {
		cat.Tables = append(cat.Tables, Table{Name: t.Name, View: t.Type == "VIEW"})
	}
	for i := range cat.Tables {
		byName[cat.Tables[i].Name] = &cat.Tables[i]
	}

	var cols []struct {
		Table    string  `db:"tbl"`
		Name     string  `db:"name"`
		Type     string  `db:"type"`
		Nullable string  `db:"nullable"`
		Default  *string `db:"def"`
		Extra    string  `db:"extra"`
	}
	if err := db.pool.SelectContext(ctx, &cols, `SELECT table_name AS tbl, column_name AS name, column_type AS type,
		is_nullable AS nullable, column_default AS def, extra FROM information_schema.columns
		WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`); err != nil {
		return nil, fmt.Errorf("catalog: columns: %w", FormatError(err))
	}
	for _, c := range cols {
		t := byName[c.Table]
		if t == nil {
			continue
		}
		col := Column{Name: c.Name, Type: c.Type, Nullable: c.Nullable == "YES", Extra: c.Extra}
		if c.Default != nil && *c.Default != "NULL" {
			col.Default = *c.Default
		}
		t.Columns = append(t.Columns, col)
	}

	var stats []struct {
		Table     string `db:"tbl"`
		Index     string `db:"idx"`
		NonUnique int    `db:"non_unique"`
		Column    string `db:"col"`
	}
	if err := db.pool.SelectContext(ctx, &stats, `SELECT table_name AS tbl, index_name AS idx, non_unique, column_name AS col
		FROM information_schema.statistics WHERE table_schema = DATABASE() ORDER BY table_name, index_name, seq_in_index`); err != nil {
		return nil, fmt.Errorf("catalog: indexes: %w", FormatError(err))
	}
	for _, s := range stats {
		t := byName[s.Table]
		if t == nil {
			continue
		}
		if n := len(t.Indexes); n > 0 && t.Indexes[n-1].Name == s.Index {
			t.Indexes[n-1].Columns = append(t.Indexes[n-1].Columns, s.Column)
			continue
		}
		t.Indexes = append(t.Indexes, Index{Name: s.Index, Unique: s.NonUnique == 0, Columns: []string{s.Column}})
	}

	var fks []struct {
		Table     string `db:"tbl"`
		Name      string `db:"name"`
		Column    string `db:"col"`
		RefTable  string `db:"ref_tbl"`
		RefColumn string `db:"ref_col"`
		OnDelete  string `db:"on_delete"`
	}
	if err := db.pool.SelectContext(ctx, &fks, `SELECT k.table_name AS tbl, k.constraint_name AS name, k.column_name AS col,
		k.referenced_table_name AS ref_tbl, k.referenced_column_name AS ref_col, r.delete_rule AS on_delete
		FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r
		  ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name AND r.table_name = k.table_name
		WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL
		ORDER BY k.table_name, k.constraint_name, k.ordinal_position`); err != nil {
		return nil, fmt.Errorf("catalog: foreign keys: %w", FormatError(err))
	}
	for _, f := range fks {
		t := byName[f.Table]
		if t == nil {
			continue
		}
		if n := len(t.Foreign); n > 0 && t.Foreign[n-1].Name == f.Name {
			t.Foreign[n-1].Columns = append(t.Foreign[n-1].Columns, f.Column)
			t.Foreign[n-1].RefColumns = append(t.Foreign[n-1].RefColumns, f.RefColumn)
			continue
		}
		t.Foreign = append(t.Foreign, ForeignKey{Name: f.Name, Columns: []string{f.Column}, RefTable: f.RefTable,
			RefColumns: []string{f.RefColumn}, OnDelete: f.OnDelete})
	}

	var checks []struct {
		Table  string `db:"tbl"`
		Name   string `db:"name"`
		Clause string `db:"clause"`
	}
	if err := db.pool.SelectContext(ctx, &checks, `SELECT table_name AS tbl, constraint_name AS name, check_clause AS clause
		FROM information_schema.check_constraints WHERE constraint_schema = DATABASE() ORDER BY table_name, constraint_name`); err != nil {
		return nil, fmt.Errorf("catalog: checks: %w", FormatError(err))
	}
	for _, c := range checks {
		if t := byName[c.Table]; t != nil {
			t.Checks = append(t.Checks, CheckConstraint{Name: c.Name, Clause: c.Clause})
		}
	}

	var views []struct {
		Name string `db:"name"`
		Def  string `db:"def"`
	}
	if err := db.pool.SelectContext(ctx, &views, `SELECT table_name AS name, view_definition AS def FROM information_schema.views
		WHERE table_schema = DATABASE() ORDER BY table_name`); err != nil {
		return nil, fmt.Errorf("catalog: views: %w", FormatError(err))
	}
	for _, v := range views {
		if t := byName[v.Name]; t != nil {
			t.Definition = strings.ReplaceAll(v.Def, rules.QuoteIdent(db.Cfg.DBName)+".", "")
		}
	}

	for i := range cat.Tables {
		idx := cat.Tables[i].Indexes
		sort.SliceStable(idx, func(a, b int) bool {
			if (idx[a].Name == "PRIMARY") != (idx[b].Name == "PRIMARY") {
				return idx[a].Name == "PRIMARY"
			}
			return idx[a].Name < idx[b].Name
		})
	}
	return cat, nil
}
