package generate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/text/encoding/charmap"

	"dmt/pkg/atomicfile"
	"dmt/pkg/csvfile"
	"dmt/pkg/runid"
)

// output is one CSV file being written, counting its physical lines (no field the
// generator writes holds a line break, so one record is one line).
type output struct {
	name   string
	f      *os.File
	buf    *bufio.Writer
	w      *csvfile.Writer
	line   int
	rows   int
	closed bool
}

// create starts file name (a path relative to the output folder) in the staging folder,
// with header as its first line (none when nil).
func (g *gen) create(name string, dl Dialect, header []string) (*output, error) {
	f, err := os.Create(g.path(name))
	if err != nil {
		return nil, err
	}
	g.stage.add(name)
	buf := bufio.NewWriterSize(f, 256<<10)
	var dst io.Writer = buf
	if dl.Windows1252 {
		dst = charmap.Windows1252.NewEncoder().Writer(buf)
	}
	o := &output{name: name, f: f, buf: buf, w: csvfile.NewWriter(dst, csvfile.WriterOptions{Comma: dl.Comma, CRLF: dl.CRLF, BOM: dl.BOM})}
	g.outputs = append(g.outputs, o)
	if header != nil {
		if err := o.write(header); err != nil {
			return nil, err
		}
		o.rows = 0
	}
	return o, nil
}

// manifest is a manifest being written, a file of records of T (ManifestRow or
// CorruptManifestRow) in the canonical dialect, its header named by T's csv tags.
type manifest[T any] struct {
	*output
	enc *csvfile.Encoder[T]
}

func createManifest[T any](g *gen, name string) (*manifest[T], error) {
	o, err := g.create(name, canonical, nil)
	if err != nil {
		return nil, err
	}
	return &manifest[T]{output: o, enc: csvfile.NewEncoder[T](o.w)}, nil
}

// add writes rec; write errors are sticky and come back from Close too.
func (m *manifest[T]) add(rec T) error { return m.enc.Encode(rec) }

// closeAll closes the files still open, after a run stopped half way.
func (g *gen) closeAll() {
	for _, o := range g.outputs {
		o.Close()
	}
}

// write writes one record and returns nothing but an error; o.line is its line number.
func (o *output) write(fields []string) error {
	o.line++
	o.rows++
	return o.w.Write(fields)
}

// Close flushes and closes the file; closing it again does nothing.
func (o *output) Close() error {
	if o.closed {
		return nil
	}
	o.closed = true
	err := o.w.Close()
	if ferr := o.buf.Flush(); err == nil {
		err = ferr
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// stage is a hidden folder inside the output folder that a run writes its files in;
// commit moves them into the output folder once all are complete, so that a run
// stopped half way (Ctrl-C, an error) leaves the output folder as it was. Only a run
// killed outright leaves the stage behind: a folder named .generate-*, safe to remove.
//
// A file of the output folder is never lost: one a file of the run replaces is kept as
// NAME.<run_id>.EXT (atomicfile.Backup), as every program of the toolkit keeps what it
// replaces, unless it holds the very bytes the run wrote (a run made again with the
// same seed and flags), which then stays as it is.
type stage struct {
	dir, final string
	runID      string
	names      []string // paths relative to the output folder, in the order written
}

// newStage makes the output folder when missing, and the stage inside it; runID ""
// takes a new run id.
func newStage(final, runID string) (*stage, error) {
	if runID == "" {
		runID = runid.New(time.Now())
	}
	if err := os.MkdirAll(final, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(final, ".generate-")
	if err != nil {
		return nil, err
	}
	return &stage{dir: dir, final: final, runID: runID}, nil
}

// add notes that name was written in the stage.
func (s *stage) add(name string) { s.names = append(s.names, name) }

// writes reports whether the run wrote name (relative to the output folder).
func (s *stage) writes(name string) bool { return slices.Contains(s.names, filepath.Clean(name)) }

// check refuses, before anything in the output folder changes, a destination that is
// there but not a regular file (a folder, a link, a pipe): it could be neither kept nor
// replaced.
func (s *stage) check() error {
	for _, name := range s.names {
		to := filepath.Join(s.final, name)
		st, err := os.Lstat(to)
		if err == nil && !st.Mode().IsRegular() {
			return fmt.Errorf("%s is there and is not a regular file (%s): move it away, or write into another folder", to, st.Mode().Type())
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// commit moves every file written into the output folder and removes the stage. A file
// it replaces is kept as NAME.<run_id>.EXT, unless it holds the same bytes, which are
// left in place; commit returns the names kept, relative to the output folder.
func (s *stage) commit() (kept []string, err error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	for _, name := range s.names {
		from, to := filepath.Join(s.dir, name), filepath.Join(s.final, name)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return kept, err
		}
		if same, err := sameBytes(from, to); err != nil || same {
			if err != nil {
				return kept, err
			}
			continue // the stage, removed below, takes the copy
		}
		k, err := atomicfile.Replace(from, to, s.runID)
		if err != nil {
			return kept, err
		}
		if k != "" {
			rel, _ := filepath.Rel(s.final, k)
			kept = append(kept, rel)
		}
	}
	return kept, os.RemoveAll(s.dir)
}

// sameBytes reports whether the file at b exists and holds the bytes of the file at a.
func sameBytes(a, b string) (bool, error) {
	sb, err := os.Stat(b)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sa, err := os.Stat(a)
	if err != nil || sa.Size() != sb.Size() {
		return false, err
	}
	fa, err := os.Open(a)
	if err != nil {
		return false, err
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return false, err
	}
	defer fb.Close()
	bufA, bufB := make([]byte, 256<<10), make([]byte, 256<<10)
	for {
		na, errA := io.ReadFull(fa, bufA)
		nb, errB := io.ReadFull(fb, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		if errA == io.EOF || errA == io.ErrUnexpectedEOF {
			return errB == io.EOF || errB == io.ErrUnexpectedEOF, nil
		}
		if errA != nil {
			return false, errA
		}
		if errB != nil {
			return false, errB
		}
	}
}

// discard removes the stage and what is left in it: nothing after a commit.
func (s *stage) discard() { os.RemoveAll(s.dir) }
