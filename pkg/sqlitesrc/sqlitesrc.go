// Package sqlitesrc reads a domain's tables from a SQLite file as CSV streams, so that
// the SQLite file is a source like any other: the same reader, checks, rejects,
// lineage and journal as a CSV file. A row's line is its line in that CSV: its position
// in the table (rowid order) plus 2 while no value holds a line break. It uses a
// pure-Go driver (modernc.org/sqlite): no cgo, nothing to install.
package sqlitesrc

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"

	_ "modernc.org/sqlite"

	"dmt/pkg/csvfile"
)

// File is an open SQLite file, read-only.
type File struct {
	db   *sql.DB
	name string
}

// Open opens path read-only. It fails on a file that is not a SQLite database.
func Open(path string) (*File, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM sqlite_master").Scan(&n); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: not a SQLite database: %w", path, err)
	}
	name := path
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		name = path[i+1:]
	}
	return &File{db: db, name: name}, nil
}

// Close closes the file.
func (f *File) Close() error { return f.db.Close() }

// Name names a table of the file in logs, reports and lineage: "distributech.sqlite:produits".
func (f *File) Name(table string) string { return f.name + ":" + table }

// Table returns a CSV stream of columns of table in rowid order (header first), written
// by a goroutine as it is read. A missing table or column is reported by the stream's
// Read; values are written verbatim (a name starting with '=' stays as it is).
func (f *File) Table(ctx context.Context, table string, columns []string) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(f.stream(ctx, pw, table, columns))
	}()
	return pr
}

func (f *File) stream(ctx context.Context, w io.Writer, table string, columns []string) error {
	have, err := f.columns(ctx, table)
	if err != nil {
		return err
	}
	var missing []string
	for _, c := range columns {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: table %s lacks column %s", f.name, table, strings.Join(missing, ", "))
	}
	quoted := make([]string, len(columns))
	for i, c := range columns {
		quoted[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
	}
	rows, err := f.db.QueryContext(ctx, "SELECT "+strings.Join(quoted, ", ")+` FROM "`+strings.ReplaceAll(table, `"`, `""`)+`" ORDER BY rowid`)
	if err != nil {
		return fmt.Errorf("%s: read %s: %w", f.name, table, err)
	}
	defer rows.Close()
	cw := csvfile.NewWriter(w, csvfile.WriterOptions{Verbatim: true})
	if err := cw.Write(columns); err != nil {
		return err
	}
	vals := make([]any, len(columns))
	ptrs := make([]any, len(columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	rec := make([]string, len(columns))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("%s: read %s: %w", f.name, table, err)
		}
		for i, v := range vals {
			rec[i] = text(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: read %s: %w", f.name, table, err)
	}
	return cw.Close()
}

func (f *File) columns(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := f.db.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.name, err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		have[n] = true
	}
	if len(have) == 0 {
		return nil, fmt.Errorf("%s: no table %s", f.name, table)
	}
	return have, rows.Err()
}

// text is a SQLite value as the CSV text the checks read: NULL is empty, a REAL its
// shortest exact decimal form (249.9, not 249.90000000000001).
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []byte:
		return string(x)
	case string:
		return x
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}
