package migrate

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dmt/pkg/csvfile"
)

// RejectFiles writes rejected rows as read, one CSV per input file (the file's own header
// plus _line and _errors), into a folder, or all of them to one writer. A fixed file can
// be fed back to reprise as it is.
type RejectFiles struct {
	dir     string
	single  io.Writer
	closer  io.Closer
	writers map[string]*rejectFile
	order   []string
}

type rejectFile struct {
	w      *csvfile.Writer
	f      *os.File
	header []string
}

// NewRejectFiles writes to dir/<input file name>; a file is created only when it gets a row.
func NewRejectFiles(dir string) *RejectFiles {
	return &RejectFiles{dir: dir, writers: map[string]*rejectFile{}}
}

// NewRejectStream writes every rejected row to w (one entity only, so one header).
func NewRejectStream(w io.Writer, closer io.Closer) *RejectFiles {
	return &RejectFiles{single: w, closer: closer, writers: map[string]*rejectFile{}}
}

// Reject implements Rejects.
func (r *RejectFiles) Reject(src *Source, header []string, line int, fields []string, errs string) error {
	header, fields = withoutContext(header, fields)
	name := RejectFileName(src)
	if r.single != nil {
		name = src.Entity.Name
	}
	rf := r.writers[name]
	if rf == nil {
		rf = &rejectFile{header: header}
		var out io.Writer = r.single
		if r.single == nil {
			if err := os.MkdirAll(r.dir, 0o755); err != nil {
				return fmt.Errorf("rejects: %w", err)
			}
			f, err := os.Create(filepath.Join(r.dir, name))
			if err != nil {
				return fmt.Errorf("rejects: %w", err)
			}
			rf.f, out = f, f
		}
		rf.w = csvfile.NewWriter(out, csvfile.WriterOptions{})
		if err := rf.w.Write(append(append([]string{}, header...), "_line", "_errors")); err != nil {
			return err
		}
		r.writers[name] = rf
		r.order = append(r.order, name)
	}
	row := make([]string, len(rf.header), len(rf.header)+2)
	copy(row, fields)
	if len(fields) > len(rf.header) && len(rf.header) > 0 {
		// A row with too many fields keeps its surplus in the last column, so nothing
		// read is lost.
		last := len(rf.header) - 1
		for _, extra := range fields[len(rf.header):] {
			row[last] += "," + extra
		}
	}
	return rf.w.Write(append(row, strconv.Itoa(line), errs))
}

// RejectFileName is the name of the file of a source's rejected rows: the source's own
// name (clients.csv, commandes_2026-W07_R012.csv), or for a SQLite table its table
// (distributech.sqlite:produits gives distributech.sqlite_produits.csv).
func RejectFileName(src *Source) string {
	name := strings.NewReplacer(":", "_", "/", "_", "\\", "_").Replace(src.Name)
	if name == "-" || name == "" {
		name = src.Entity.Name
	}
	if !strings.HasSuffix(strings.ToLower(name), ".csv") {
		name += ".csv"
	}
	return name
}

// withoutContext drops the _line and _errors columns of a file the toolkit wrote, so
// that a quarantined row fed back and isolated again gets fresh ones, not two sets.
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

// Close flushes and closes every file.
func (r *RejectFiles) Close() error {
	var first error
	for _, name := range r.order {
		rf := r.writers[name]
		if err := rf.w.Close(); err != nil && first == nil {
			first = err
		}
		if rf.f != nil {
			if err := rf.f.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	if r.closer != nil {
		if err := r.closer.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
