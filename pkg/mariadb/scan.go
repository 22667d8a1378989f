package mariadb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"dmt/pkg/domain"
	"dmt/pkg/rules"
)

// ScanEntity calls fn with every row of e's table in canonical text form, aligned with
// e.Fields ("" for NULL; a list column joined with "|"). fn must not keep the slice.
// It reads in one streaming query per table, never a query per row.
func (db *DB) ScanEntity(ctx context.Context, e *domain.Entity, fn func(vals []string) error) error {
	return scanRows(ctx, db.pool, e, "", nil, fn)
}

// scanRows is ScanEntity over the rows that where (a WHERE clause on the key, with
// args, or "") selects, through conn (the pool or a transaction). Both queries are read as streams into the callback or a map: a table may hold
// millions of rows, never loaded into a slice.
func scanRows(ctx context.Context, conn sqlx.QueryerContext, e *domain.Entity, where string, args []any, fn func(vals []string) error) error {
	lists := map[int]map[string]string{} // field index -> key -> joined items
	for _, l := range e.Lists {
		items, err := listItems(ctx, conn, e, l, where, args)
		if err != nil {
			return err
		}
		lists[e.Index(l.Column)] = items
	}
	var cols []string
	var idx []int
	for i, f := range e.Fields {
		if _, isList := lists[i]; isList {
			continue
		}
		cols = append(cols, rules.QuoteIdent(f.Name))
		idx = append(idx, i)
	}
	rows, err := conn.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+rules.QuoteIdent(e.Name)+where, args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", e.Name, FormatError(err))
	}
	defer rows.Close()
	raw := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	vals := make([]string, len(e.Fields))
	keyIdx := e.Index(e.KeyColumn())
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", e.Name, err)
		}
		for j, i := range idx {
			vals[i] = raw[j].String
		}
		for i, items := range lists {
			vals[i] = items[vals[keyIdx]]
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", e.Name, FormatError(err))
	}
	return nil
}

// listQuery is the statement listItems sends: the key and item of each row of l's
// table that where (a clause after the table's name, or "") selects.
func listQuery(e *domain.Entity, l domain.List, where string) string {
	return "SELECT " + rules.QuoteIdent(e.KeyColumn()) + ", " + rules.QuoteIdent(l.ItemColumn) + " FROM " + rules.QuoteIdent(l.Table) + where
}

// madeItems bounds the different items listItems makes a string once for.
const madeItems = 4096

// listItems returns the items of list l of the rows of e that where selects (a WHERE
// clause on the key, with args, or ""), by key, joined by "|" in byte order (the order
// of the column's binary collation). The items are read as rows and joined here: no
// grouping for the server to do, and no length limit. Read as raw bytes, a key is made
// a string once for its rows (they come by key), an item once for the statement (a
// project's sites are a few cities; past madeItems different items, once per row).
func listItems(ctx context.Context, conn sqlx.QueryerContext, e *domain.Entity, l domain.List, where string, args []any) (map[string]string, error) {
	byKey := map[string][]string{}
	rows, err := conn.QueryContext(ctx, listQuery(e, l, where), args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", l.Table, FormatError(err))
	}
	defer rows.Close()
	var kb, vb sql.RawBytes
	var k string
	made := map[string]string{}
	for rows.Next() {
		if err := rows.Scan(&kb, &vb); err != nil {
			return nil, err
		}
		if string(kb) != k {
			k = string(kb)
		}
		v, ok := made[string(vb)]
		if !ok {
			v = string(vb)
			if len(made) < madeItems {
				made[v] = v
			}
		}
		byKey[k] = append(byKey[k], v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", l.Table, FormatError(err))
	}
	items := make(map[string]string, len(byKey))
	for k, vs := range byKey {
		slices.Sort(vs)
		items[k] = strings.Join(vs, rules.ListSeparator)
	}
	return items, nil
}
