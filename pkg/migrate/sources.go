package migrate

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
			return nil, nil, fmt.Errorf("unknown entity %q for domain %s", entity, d.Name)
		}
	}
	if input == "-" {
		if forced == nil {
			return nil, nil, fmt.Errorf("reading stdin needs -entity")
		}
		return []*Source{{Name: StdinName, Entity: forced, R: stdin}}, func() {}, nil
	}
	st, err := os.Stat(input)
	if err != nil {
		return nil, nil, fmt.Errorf("input: %w", err)
	}
	o := &opener{}
	if !st.IsDir() && strings.HasSuffix(strings.ToLower(input), ".sqlite") {
		if err := o.openSQLite(input); err != nil {
			return nil, nil, err
		}
		var sources []*Source
		for _, e := range d.Entities {
			if e.SQLiteTable != "" && (forced == nil || e == forced) {
				sources = append(sources, o.table(e))
			}
		}
		if len(sources) == 0 {
			o.closeAll()
			return nil, nil, fmt.Errorf("%s: domain %s reads no table from SQLite", input, d.Name)
		}
		return sources, o.closeAll, nil
	}
	if !st.IsDir() {
		e := forced
		if e == nil {
			if e = d.EntityForFile(input); e == nil {
				return nil, nil, fmt.Errorf("%s: cannot tell its entity from its name; give -entity", input)
			}
		}
		src, err := o.open(input, e)
		if err != nil {
			return nil, nil, err
		}
		return []*Source{src}, o.closeAll, nil
	}
	sources, missing, err := o.folder(d, input, forced)
	for _, m := range missing {
		// A folder of weekly files may be absent: there is no week to load.
		if err == nil && !strings.HasSuffix(m, "/") {
			err = fmt.Errorf("input folder %s: missing %s", input, m)
		}
	}
	if err != nil {
		o.closeAll()
		return nil, nil, err
	}
	return sources, o.closeAll, nil
}

// ResolveFolder lists the sources of a domain's folder as Resolve does (the same
// files, SQLite tables and weekly files, in load order), but names what is missing
// instead of stopping at it: a file of the domain, its SQLite file, or the folder of
// its weekly files ("commandes/"; a folder without any weekly file is not missing).
// validate -source checks these, so that it judges exactly what migration reads.
func ResolveFolder(d *domain.Domain, dir string) (sources []*Source, missing []string, closeAll func(), err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("input: %w", err)
	}
	if !st.IsDir() {
		return nil, nil, nil, fmt.Errorf("input %s: not a folder", dir)
	}
	o := &opener{}
	sources, missing, err = o.folder(d, dir, nil)
	if err != nil {
		o.closeAll()
		return nil, nil, nil, err
	}
	return sources, missing, o.closeAll, nil
}

// opener opens the sources of one INPUT and closes them all at the end.
type opener struct {
	files  []io.Closer
	sqlite *sqlitesrc.File
}

func (o *opener) closeAll() {
	for i := len(o.files) - 1; i >= 0; i-- {
		o.files[i].Close()
	}
}

func (o *opener) openSQLite(path string) error {
	if o.sqlite != nil {
		return nil
	}
	f, err := sqlitesrc.Open(path)
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	o.sqlite = f
	o.files = append(o.files, f)
	return nil
}

func (o *opener) table(e *domain.Entity) *Source {
	r := o.sqlite.Table(context.Background(), e.SQLiteTable, e.Columns())
	o.files = append(o.files, r)
	lite := o.sqlite
	reread := func() (io.ReadCloser, error) {
		return lite.Table(context.Background(), e.SQLiteTable, e.Columns()), nil
	}
	return &Source{Name: o.sqlite.Name(e.SQLiteTable), Entity: e, R: r, Reread: reread}
}

func (o *opener) open(path string, e *domain.Entity) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	o.files = append(o.files, f)
	src := &Source{Name: filepath.Base(path), Entity: e, R: f}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		// A pipe or a device would be consumed by a second reading.
		src.Reread = func() (io.ReadCloser, error) { return os.Open(path) }
	}
	return src, nil
}

// folder lists the sources of a domain's folder in load order (only forced's when
// set), and names those missing from it: a file, the SQLite file, or the folder of a
// pattern's files (ending in "/").
func (o *opener) folder(d *domain.Domain, input string, forced *domain.Entity) ([]*Source, []string, error) {
	var sources []*Source
	var missing []string
	for _, e := range d.Entities {
		if forced != nil && e != forced {
			continue
		}
		switch {
		case e.SQLiteTable != "":
			path := filepath.Join(input, d.SQLiteFile)
			if _, err := os.Stat(path); err != nil {
				if !slices.Contains(missing, d.SQLiteFile) {
					missing = append(missing, d.SQLiteFile)
				}
				continue
			}
			if err := o.openSQLite(path); err != nil {
				return nil, nil, err
			}
			sources = append(sources, o.table(e))
			continue
		case e.Pattern != "":
			if sub := filepath.Dir(e.Pattern); sub != "." {
				if st, err := os.Stat(filepath.Join(input, sub)); err != nil || !st.IsDir() {
					missing = append(missing, sub+"/")
					continue
				}
			}
			// Every file of the pattern, in name order: weekly files load oldest first.
			paths, err := filepath.Glob(filepath.Join(input, e.Pattern))
			if err != nil {
				return nil, nil, err
			}
			sort.Strings(paths)
			for _, path := range paths {
				src, err := o.open(path, e)
				if err != nil {
					return nil, nil, err
				}
				sources = append(sources, src)
			}
			continue
		}
		path := filepath.Join(input, e.File)
		if _, err := os.Stat(path); err != nil {
			missing = append(missing, e.File)
			continue
		}
		src, err := o.open(path, e)
		if err != nil {
			return nil, nil, err
		}
		sources = append(sources, src)
	}
	return sources, missing, nil
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
