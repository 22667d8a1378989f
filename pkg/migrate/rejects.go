package migrate

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dmt/pkg/atomicfile"
	"dmt/pkg/csvfile"
)

// Rejected is one rejected row as the rejected-rows files keep it: exactly as it came in,
// so that fed back unchanged it is judged (and rejected) the same way again.
type Rejected struct {
	Header []string // the header of the file it was read from, as read
	Fields []string // its fields as read, aligned with Header; nil when it could not be split
	Raw    string   // its original text, written in _raw when Fields is nil
	// Cut is set for a line too long for the reader to hold: Raw is then its start
	// only, and the whole line is read again from the source (see RejectFiles.Reject).
	Cut    *csvfile.ParseError
	File   string // the file and line it first came from (_file, _line)
	Line   int
	Errors string // _errors: its codes and reasons
}

// Rejects receives each rejected row of a file; migration writes them to rejets/<input
// file>, a file or stdout, reprise to its quarantine file.
type Rejects interface {
	Reject(src *Source, r Rejected) error
}

// Columns the toolkit adds to the rows it writes to be fixed and fed back. A file that
// carries _line or _errors was written by the toolkit: its values are read back with
// csvfile.Unneutralize, and _file and _line name where its rows first came from.
const (
	colFile   = "_file"
	colLine   = "_line"
	colErrors = "_errors"
	colRaw    = "_raw"
)

// RejectFiles writes rejected rows as read, one CSV per input file (the file's own data
// columns, then _file, _line, _errors and _raw), into a folder, into one file, or to a
// stream, files in their input's dialect (see dialect). Files are written under temporary names and renamed into place by Commit, once
// the run has read its inputs: a file may be read and rewritten by the same run (fix the
// rejected rows, feed them back with the same -out), and a failed run leaves the
// previous files as they were. A fixed file can be fed back as it is.
type RejectFiles struct {
	dir     string    // one file per input file, in dir
	path    string    // every row to one file
	stream  io.Writer // every row to a stream
	writers map[string]*rejectFile
	order   []string
}

type rejectFile struct {
	w      *csvfile.Writer
	a      *atomicfile.File // nil for a stream
	header []string
}

// NewRejectFiles writes to dir/<input file name>; a file is written only when it gets a
// row.
func NewRejectFiles(dir string) *RejectFiles {
	return &RejectFiles{dir: dir, writers: map[string]*rejectFile{}}
}

// NewRejectFile writes every rejected row to the file at path (one entity only, so one
// header); the file is written only when it gets a row.
func NewRejectFile(path string) *RejectFiles {
	return &RejectFiles{path: path, writers: map[string]*rejectFile{}}
}

// NewRejectStream writes every rejected row to w as it comes (one entity only).
func NewRejectStream(w io.Writer) *RejectFiles {
	return &RejectFiles{stream: w, writers: map[string]*rejectFile{}}
}

// dialect is how the rows of src are written. A file is written in its input's dialect
// (separator and line ends), so that the spreadsheet that made the input opens it the
// same way: a French Excel export (';', CRLF) gets ';' and CRLF back. Its text is UTF-8,
// with a BOM when the input had one or was Windows-1252: the BOM is what makes Excel
// read UTF-8 right, and UTF-8 holds every character a rejected row or its reasons may
// carry, where Windows-1252 would have to drop some. A stream (-rejects -) is read by
// programs: it stays plain UTF-8, ',' and LF.
func (r *RejectFiles) dialect(src *Source) csvfile.WriterOptions {
	if r.stream != nil {
		return csvfile.WriterOptions{}
	}
	d := src.Dialect
	return csvfile.WriterOptions{Comma: d.Comma, CRLF: d.CRLF, BOM: d.Encoding != csvfile.UTF8}
}

// destination is where the rows of src go: a path, or "" for the stream.
func (r *RejectFiles) destination(src *Source) string {
	switch {
	case r.stream != nil:
		return ""
	case r.path != "":
		return r.path
	}
	return filepath.Join(r.dir, RejectFileName(src))
}

// Reject implements Rejects.
func (r *RejectFiles) Reject(src *Source, rej Rejected) error {
	header, fields := withoutContext(rej.Header, rej.Fields)
	dest := r.destination(src)
	rf := r.writers[dest]
	if rf == nil {
		rf = &rejectFile{header: header}
		out := r.stream
		if out == nil {
			if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
				return fmt.Errorf("rejects: %w", err)
			}
			a, err := atomicfile.Create(dest)
			if err != nil {
				return fmt.Errorf("rejects: %w", err)
			}
			rf.a, out = a, a
		}
		rf.w = csvfile.NewWriter(out, r.dialect(src))
		r.writers[dest] = rf
		r.order = append(r.order, dest)
		if err := rf.w.Write(append(append([]string{}, header...), colFile, colLine, colErrors, colRaw)); err != nil {
			return err
		}
	}
	row := make([]string, len(rf.header), len(rf.header)+4)
	raw := ""
	if rej.Fields != nil && len(fields) == len(rf.header) {
		copy(row, fields)
	} else {
		// Its fields could not be split (or not into this file's columns): the data
		// columns stay empty and its text goes whole to _raw, to be parsed again when
		// fed back, so it stays MALFORMED_ROW until someone fixes it.
		raw = rej.Raw
		if rej.Fields != nil && raw == "" {
			raw = strings.Join(fields, ",")
		}
	}
	errs := rej.Errors
	if rej.Cut != nil && raw != "" {
		var err error
		if raw, errs, err = wholeLine(src, rej.Cut, raw, errs); err != nil {
			return err
		}
	}
	return rf.w.Write(append(row, rej.File, strconv.Itoa(rej.Line), errs, raw))
}

// wholeLine gives the whole text of a line too long for the reader to hold, read again
// from its source, so that the rejected-rows file keeps it whole to be fixed and fed
// back: reading held only its start, so that a 50 MB line costs no memory while the file
// is read, and the text is held here only while its row is written (the CSV writer
// takes whole strings). Stdin cannot be read again: its row keeps the start, and
// _errors says so.
func wholeLine(src *Source, cut *csvfile.ParseError, raw, errs string) (string, string, error) {
	if src.Reread == nil {
		return raw, errs + fmt.Sprintf(" (only its first %d bytes are in _raw: %s cannot be read again to copy it whole)",
			len(raw), src.Name), nil
	}
	in, err := src.Reread()
	if err != nil {
		return "", "", fmt.Errorf("rejects: %s: %w", src.Name, err)
	}
	defer in.Close()
	var b strings.Builder
	b.Grow(int(cut.RawBytes))
	if err := cut.WriteWhole(&b, in); err != nil {
		return "", "", fmt.Errorf("rejects: %s: %w", src.Name, err)
	}
	return b.String(), errs, nil
}

// RejectFileName is the name of the file of a source's rejected rows: the source's own
// name (clients.csv, commandes_2026-W07_R012.csv), or for a SQLite table its table
// (distributech.sqlite:produits gives distributech.sqlite_produits.csv), or for stdin
// its entity's (projets.csv).
func RejectFileName(src *Source) string {
	name := strings.NewReplacer(":", "_", "/", "_", "\\", "_").Replace(src.Name)
	if name == "-" || name == "" || name == StdinName {
		name = src.Entity.Name
	}
	if !strings.HasSuffix(strings.ToLower(name), ".csv") {
		name += ".csv"
	}
	return name
}

// withoutContext drops the columns the toolkit adds (_file, _line, _errors, _raw) of a
// file it wrote, so that a quarantined row fed back and isolated again gets fresh ones,
// not two sets.
func withoutContext(header, fields []string) ([]string, []string) {
	keep := -1
	for i, h := range header {
		if IsContextColumn(h) {
			keep = i
			break
		}
	}
	if keep < 0 {
		return header, fields
	}
	var h2, f2 []string
	for i, h := range header {
		if IsContextColumn(h) {
			continue
		}
		h2 = append(h2, h)
		if i < len(fields) {
			f2 = append(f2, fields[i])
		}
	}
	return h2, f2
}

// Commit flushes every file and renames it into place, keeping a file it replaces as
// NAME.<runID>.EXT. A destination of sources that got no row this time is set aside the
// same way, so that no stale file says rows are still rejected. Call it once the run has
// read its inputs. It returns the names the replaced files were kept under.
func (r *RejectFiles) Commit(runID string, sources []*Source) ([]string, error) {
	if r == nil {
		return nil, nil
	}
	var kept []string
	var first error
	for _, dest := range r.order {
		rf := r.writers[dest]
		err := rf.w.Close()
		if rf.a != nil {
			if err != nil {
				rf.a.Abort()
			} else {
				var name string
				if name, err = rf.a.Commit(runID); name != "" {
					kept = append(kept, name)
				}
			}
		}
		if err != nil && first == nil {
			first = err
		}
	}
	if r.stream != nil || first != nil {
		return kept, first
	}
	for _, src := range sources {
		dest := r.destination(src)
		if _, ok := r.writers[dest]; ok {
			continue
		}
		r.writers[dest] = nil // one source per destination is enough
		name, err := atomicfile.SetAside(dest, runID)
		if err != nil {
			return kept, fmt.Errorf("rejects: %w", err)
		}
		if name != "" {
			kept = append(kept, name)
		}
	}
	return kept, nil
}

// Abort removes the temporary files of a run that failed: the previous files stay as
// they were. A stream is flushed (its rows are already out).
func (r *RejectFiles) Abort() {
	if r == nil {
		return
	}
	for _, dest := range r.order {
		rf := r.writers[dest]
		if rf == nil {
			continue
		}
		if rf.a != nil {
			rf.a.Abort()
		} else {
			rf.w.Close()
		}
	}
}
