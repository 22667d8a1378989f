package migrate

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"dmt/pkg/domain"
)

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
		return []*Source{{Name: "-", Entity: forced, R: stdin}}, func() {}, nil
	}
	st, err := os.Stat(input)
	if err != nil {
		return nil, nil, fmt.Errorf("input: %w", err)
	}
	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	open := func(path string, e *domain.Entity) (*Source, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("input: %w", err)
		}
		files = append(files, f)
		return &Source{Name: filepath.Base(path), Entity: e, R: f}, nil
	}
	if !st.IsDir() {
		e := forced
		if e == nil {
			if e = d.EntityForFile(input); e == nil {
				return nil, nil, fmt.Errorf("%s: cannot tell its entity from its name; give -entity", input)
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
