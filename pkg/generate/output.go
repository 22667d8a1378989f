package generate

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/text/encoding/charmap"

	"dmt/pkg/csvfile"
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
type stage struct {
	dir, final string
	names      []string // paths relative to the output folder, in the order written
}

// newStage makes the output folder when missing, and the stage inside it.
func newStage(final string) (*stage, error) {
	if err := os.MkdirAll(final, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(final, ".generate-")
	if err != nil {
		return nil, err
	}
	return &stage{dir: dir, final: final}, nil
}

// add notes that name was written in the stage.
func (s *stage) add(name string) { s.names = append(s.names, name) }

// commit moves every file written into the output folder, replacing files of the same
// name, and removes the stage.
func (s *stage) commit() error {
	for _, name := range s.names {
		to := filepath.Join(s.final, name)
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(s.dir, name), to); err != nil {
			return err
		}
	}
	return os.RemoveAll(s.dir)
}

// discard removes the stage and what is left in it: nothing after a commit.
func (s *stage) discard() { os.RemoveAll(s.dir) }
