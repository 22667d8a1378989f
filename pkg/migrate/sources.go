package migrate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/sqlitesrc"
)

// StdinName is what logs, reports, the journal and lineage call standard input.
const StdinName = "stdin"

// Resolve turns a command line INPUT into sources in load order: a folder holding every
// file of the domain, one file (entity from its name unless entity is given), or "-" for
// stdin (entity required). The returned func closes the files.
func Resolve(d *domain.Domain, input, entity string, stdin io.Reader) ([]*Source, func(), error) {
	var forced *domain.Entity
	if entity != "" {
		if forced = d.Entity(entity); forced == nil {
			return nil, nil, fmt.Errorf("unknown entity %q for domain %s (valid: %s)", entity, d.Name, strings.Join(d.EntityNames(), ", "))
		}
	}
	if input == "-" {
		if forced == nil {
			return nil, nil, fmt.Errorf("reading stdin needs -entity (%s)", strings.Join(d.EntityNames(), ", "))
		}
		return []*Source{{Name: StdinName, Entity: forced, R: stdin}}, func() {}, nil
	}
	st, err := os.Stat(input)
	if err != nil {
		return nil, nil, fmt.Errorf("input: %w", err)
	}
	var files []io.Closer
	closeAll := func() {
		for i := len(files) - 1; i >= 0; i-- {
			files[i].Close()
		}
	}
	var sqlite *sqlitesrc.File
	openSQLite := func(path string) error {
		if sqlite != nil {
			return nil
		}
		f, err := sqlitesrc.Open(path)
		if err != nil {
			return fmt.Errorf("input: %w", err)
		}
		sqlite = f
		files = append(files, f)
		return nil
	}
	table := func(e *domain.Entity) *Source {
		r := sqlite.Table(context.Background(), e.SQLiteTable, e.Columns())
		files = append(files, r)
		lite := sqlite
		reread := func() (io.ReadCloser, error) {
			return lite.Table(context.Background(), e.SQLiteTable, e.Columns()), nil
		}
		return &Source{Name: sqlite.Name(e.SQLiteTable), Entity: e, R: r, Reread: reread}
	}
	open := func(path string, e *domain.Entity) (*Source, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("input: %w", err)
		}
		files = append(files, f)
		src := &Source{Name: filepath.Base(path), Entity: e, R: f}
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			// A pipe or a device would be consumed by a second reading.
			src.Reread = func() (io.ReadCloser, error) { return os.Open(path) }
		}
		return src, nil
	}
	if !st.IsDir() && strings.HasSuffix(strings.ToLower(input), ".sqlite") {
		if err := openSQLite(input); err != nil {
			return nil, nil, err
		}
		var sources []*Source
		for _, e := range d.Entities {
			if e.SQLiteTable != "" && (forced == nil || e == forced) {
				sources = append(sources, table(e))
			}
		}
		if len(sources) == 0 {
			closeAll()
			return nil, nil, fmt.Errorf("%s: domain %s reads no table from SQLite", input, d.Name)
		}
		return sources, closeAll, nil
	}
	if !st.IsDir() {
		e := forced
		if e == nil {
			if e = d.EntityForFile(input); e == nil {
				return nil, nil, fmt.Errorf("%s: cannot tell its entity from its name; give -entity (%s)", input, strings.Join(d.EntityNames(), ", "))
			}
		}
		src, err := open(input, e)
		if err != nil {
			return nil, nil, err
		}
		return []*Source{src}, closeAll, nil
	}
	var sources []*Source
	for _, e := range d.Entities {
		if forced != nil && e != forced {
			continue
		}
		switch {
		case e.SQLiteTable != "":
			if err := openSQLite(filepath.Join(input, d.SQLiteFile)); err != nil {
				closeAll()
				return nil, nil, err
			}
			sources = append(sources, table(e))
			continue
		case e.Pattern != "":
			// Every file of the pattern, in name order: weekly files load oldest first.
			paths, err := filepath.Glob(filepath.Join(input, e.Pattern))
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			sort.Strings(paths)
			for _, path := range paths {
				src, err := open(path, e)
				if err != nil {
					closeAll()
					return nil, nil, err
				}
				sources = append(sources, src)
			}
			continue
		}
		path := filepath.Join(input, e.File)
		if _, err := os.Stat(path); err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("input folder %s: missing %s", input, e.File)
		}
		src, err := open(path, e)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		sources = append(sources, src)
	}
	return sources, closeAll, nil
}

// Size returns the size of a source read from a file, or -1.
func Size(src *Source) int64 {
	if f, ok := src.R.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return st.Size()
		}
	}
	return -1
}
