package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"dmt/pkg/atomicfile"
	"dmt/pkg/domain"
	"dmt/pkg/sqlitesrc"
	"dmt/pkg/store"
)

// StdinName is what logs, reports, the journal and lineage call standard input.
const StdinName = "stdin"

// Resolve turns a command line INPUT into sources in load order: a folder holding every
// file of the domain, one file (entity from its name unless entity is given), or "-" for
// stdin (entity required). The returned func closes the files.
//
// Opening an input never blocks: a named pipe, a device or a socket is refused with one
// line naming it (a FIFO without a writer would hang in open(2) for ever; feed such a
// stream through "-" instead), and so is a folder given where a file is meant. In a
// folder, file names match without regard to case (Clients.CSV is clients.csv, as in
// single-file mode) and two names that differ only by case are refused. A pattern
// (commandes/*.csv) never picks up what a run writes: hidden files (temporary ones) and
// the kept versions NAME.<run_id>.EXT of files a run replaced.
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
		return nil, nil, fmt.Errorf("input %s", describeOpenError(input, err))
	}
	o := &opener{}
	var sources []*Source
	switch {
	case !st.IsDir() && strings.HasSuffix(strings.ToLower(input), ".sqlite"):
		sources, err = o.sqliteTables(d, input, forced)
	case st.IsDir() && hasFileExtension(input):
		// A folder named like a file was meant as one: reading it as an input folder
		// would only say that it lacks the domain's files.
		err = fmt.Errorf("input %s is a directory, not a file (give a file, or the folder that holds the domain's files)", input)
	case !st.IsDir():
		sources, err = o.single(d, input, forced)
	default:
		sources, err = o.wholeFolder(d, input, forced)
	}
	if err != nil {
		return o.fail(err)
	}
	return sources, o.closeAll, nil
}

// sqliteTables opens the tables of a SQLite file that the domain reads (only forced's
// when set).
func (o *opener) sqliteTables(d *domain.Domain, input string, forced *domain.Entity) ([]*Source, error) {
	if err := o.openSQLite(input); err != nil {
		return nil, err
	}
	var sources []*Source
	for _, e := range d.Entities {
		if e.SQLiteTable != "" && (forced == nil || e == forced) {
			sources = append(sources, o.table(e))
		}
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("%s: domain %s reads no table from SQLite", input, d.Name)
	}
	return sources, nil
}

// single opens one file, of forced or of the entity its name tells.
func (o *opener) single(d *domain.Domain, input string, forced *domain.Entity) ([]*Source, error) {
	e := forced
	if e == nil {
		if e = d.EntityForFile(input); e == nil {
			return nil, fmt.Errorf("%s: cannot tell its entity from its name; give -entity (%s)", input, strings.Join(d.EntityNames(), ", "))
		}
	}
	src, err := o.open(input, e)
	if err != nil {
		return nil, err
	}
	return []*Source{src}, nil
}

// wholeFolder opens the sources of a domain's folder, and refuses a folder that lacks
// one of its files. A folder of weekly files may be absent: there is no week to load.
func (o *opener) wholeFolder(d *domain.Domain, input string, forced *domain.Entity) ([]*Source, error) {
	sources, missing, err := o.folder(d, input, forced)
	if err != nil {
		return nil, err
	}
	for _, m := range missing {
		if !strings.HasSuffix(m, "/") {
			return nil, fmt.Errorf("input folder %s: missing %s", input, m)
		}
	}
	return sources, nil
}

// ResolveFolder lists the sources of a domain's folder as Resolve does (the same
// files, SQLite tables and weekly files, in load order), but names what is missing
// instead of stopping at it: a file of the domain, its SQLite file, or the folder of
// its weekly files ("commandes/"; a folder without any weekly file is not missing).
// validate -source checks these, so that it judges exactly what migration reads.
func ResolveFolder(d *domain.Domain, dir string) (sources []*Source, missing []string, closeAll func(), err error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("input %s", describeOpenError(dir, err))
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

func (o *opener) fail(err error) ([]*Source, func(), error) {
	o.closeAll()
	return nil, nil, err
}

func (o *opener) openSQLite(path string) error {
	if o.sqlite != nil {
		return nil
	}
	if err := checkRegular(path); err != nil {
		return fmt.Errorf("input %w", err)
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
	return &Source{Name: store.SafeText(o.sqlite.Name(e.SQLiteTable)), Entity: e, R: r, Reread: reread}
}

func (o *opener) open(path string, e *domain.Entity) (*Source, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, fmt.Errorf("input %w", err)
	}
	o.files = append(o.files, f)
	// The name lineage, the journal and the reports record: a name that is not UTF-8 (a
	// Latin-1 file name) is kept with its odd bytes escaped (\xe9), so that it can be
	// stored as text and the file loads without being renamed.
	src := &Source{Name: store.SafeText(filepath.Base(path)), Entity: e, R: f}
	src.Reread = func() (io.ReadCloser, error) { return openRegular(path) }
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
		var found []*Source
		var absent string
		var err error
		switch {
		case e.SQLiteTable != "":
			found, absent, err = o.folderTable(d, input, e)
		case e.Pattern != "":
			found, absent, err = o.folderPattern(input, e)
		default:
			found, absent, err = o.folderFile(input, e)
		}
		if err != nil {
			return nil, nil, err
		}
		if absent != "" && !slices.Contains(missing, absent) {
			missing = append(missing, absent)
		}
		sources = append(sources, found...)
	}
	return sources, missing, nil
}

// folderTable opens e's table in the folder's SQLite file, or names that file absent.
func (o *opener) folderTable(d *domain.Domain, input string, e *domain.Entity) ([]*Source, string, error) {
	path, err := findFile(input, d.SQLiteFile)
	var absent *missingError
	if errors.As(err, &absent) {
		return nil, d.SQLiteFile, nil
	}
	if err != nil {
		return nil, "", err
	}
	if err := o.openSQLite(path); err != nil {
		return nil, "", err
	}
	return []*Source{o.table(e)}, "", nil
}

// folderPattern opens every file of e's pattern, in name order (weekly files load
// oldest first), or names the pattern's folder absent ("commandes/").
func (o *opener) folderPattern(input string, e *domain.Entity) ([]*Source, string, error) {
	if sub := filepath.Dir(e.Pattern); sub != "." {
		var absent *missingError
		if _, err := findFile(input, sub); errors.As(err, &absent) {
			return nil, sub + "/", nil
		}
	}
	paths, err := findPattern(input, e.Pattern)
	if err != nil {
		return nil, "", err
	}
	var sources []*Source
	for _, path := range paths {
		src, err := o.open(path, e)
		if err != nil {
			return nil, "", err
		}
		sources = append(sources, src)
	}
	return sources, "", nil
}

// folderFile opens e's file in the folder, or names it absent.
func (o *opener) folderFile(input string, e *domain.Entity) ([]*Source, string, error) {
	path, err := findFile(input, e.File)
	var absent *missingError
	if errors.As(err, &absent) {
		return nil, e.File, nil
	}
	if err != nil {
		return nil, "", err
	}
	src, err := o.open(path, e)
	if err != nil {
		return nil, "", err
	}
	return []*Source{src}, "", nil
}

// hasFileExtension reports whether a path's name ends like the files migration reads.
func hasFileExtension(path string) bool {
	switch strings.ToLower(filepath.Ext(filepath.Clean(path))) {
	case ".csv", ".sqlite":
		return true
	}
	return false
}

// findFile returns the path of the entry of dir named name without regard to case. It
// errs when there is none, or when two entries differ only by case: which one is meant
// cannot be told.
func findFile(dir, name string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("input folder %w", describeOpenError(dir, err))
	}
	var found []string
	for _, e := range entries {
		if strings.EqualFold(e.Name(), name) {
			found = append(found, e.Name())
		}
	}
	switch len(found) {
	case 0:
		return "", &missingError{dir: dir, name: name}
	case 1:
		return filepath.Join(dir, found[0]), nil
	}
	sort.Strings(found)
	return "", fmt.Errorf("input folder %s: %s differ only by case; keep one of them", dir, strings.Join(quoteAll(found), " and "))
}

// findPattern returns the files of dir that pattern (a glob, with an optional folder:
// commandes/*.csv) matches without regard to case, in name order, leaving out hidden
// files and the versions a run kept of the files it replaced (NAME.<run_id>.EXT): what
// a run writes is never read as input.
func findPattern(dir, pattern string) ([]string, error) {
	sub, glob := filepath.Split(pattern)
	folder := filepath.Join(dir, sub)
	entries, err := os.ReadDir(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("input folder %w", describeOpenError(folder, err))
	}
	glob = strings.ToLower(glob)
	var names []string
	byFold := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if ok, _ := filepath.Match(glob, strings.ToLower(name)); !ok || strings.HasPrefix(name, ".") || isKeptCopy(name) {
			continue
		}
		fold := strings.ToLower(name)
		if other, dup := byFold[fold]; dup {
			return nil, fmt.Errorf("input folder %s: %q and %q differ only by case; keep one of them", folder, other, name)
		}
		byFold[fold] = name
		names = append(names, name)
	}
	sort.Strings(names)
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(folder, n)
	}
	return paths, nil
}

// isKeptCopy reports whether a file name is that of a version a run kept of a file it
// replaced (commandes_2026-W07_R012.20261115T100000Z-3fa2c1.csv): atomicfile.IsBackup.
func isKeptCopy(name string) bool { return atomicfile.IsBackup(name) }

// missingError is a file of the domain that its input folder lacks.
type missingError struct{ dir, name string }

func (e *missingError) Error() string {
	return fmt.Sprintf("input folder %s: missing %s", e.dir, e.name)
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// openRegular opens path for reading without ever blocking, and only when it is a
// regular file. The open is non-blocking (a FIFO without a writer opens at once instead
// of hanging), and the file's type is then checked on the open descriptor.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, describeOpenError(path, err)
	}
	st, err := f.Stat()
	if err == nil {
		err = notRegular(path, st)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkRegular is openRegular's check without opening, for a file another library opens
// (SQLite): stat never blocks.
func checkRegular(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return describeOpenError(path, err)
	}
	return notRegular(path, st)
}

// notRegular refuses what is not a regular file, saying what it is.
func notRegular(path string, st fs.FileInfo) error {
	m := st.Mode()
	var what string
	switch {
	case m.IsRegular():
		return nil
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	default:
		what = "a special file"
	}
	hint := "give a regular file, or feed the stream through - (stdin) with -entity"
	if m.IsDir() {
		hint = "give a file, or the folder that holds the domain's files"
	}
	return fmt.Errorf("%s is %s, not a regular file: not read (%s)", path, what, hint)
}

// describeOpenError says what stopped a path from being opened, naming it, in words a
// person acts on: a symbolic link that loops is not a missing file. The error it wraps
// stays reachable with errors.Is.
func describeOpenError(path string, err error) error {
	var pe *fs.PathError
	cause := err
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	what := cause.Error()
	switch {
	case errors.Is(cause, syscall.ELOOP):
		what = "a symbolic link loop (too many levels of symbolic links)"
	case errors.Is(cause, fs.ErrNotExist):
		what = "no such file or directory"
		if _, lerr := os.Lstat(path); lerr == nil {
			what = "a symbolic link to a missing file"
		}
	case errors.Is(cause, fs.ErrPermission):
		what = "permission denied"
	}
	return &openError{msg: path + ": " + what, err: err}
}

// openError is an input that could not be opened: its own message, the cause kept.
type openError struct {
	msg string
	err error
}

func (e *openError) Error() string { return e.msg }
func (e *openError) Unwrap() error { return e.err }

// Size returns the size of a source read from a file, or -1.
func Size(src *Source) int64 {
	if f, ok := src.R.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			return st.Size()
		}
	}
	return -1
}
