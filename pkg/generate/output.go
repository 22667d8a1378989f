package generate

import (
	"bufio"
	"io"
	"os"

	"golang.org/x/text/encoding/charmap"

	"dmt/pkg/csvfile"
)

// output is one CSV file being written, counting its physical lines (no field the
// generator writes holds a line break, so one record is one line).
type output struct {
	name string
	f    *os.File
	buf  *bufio.Writer
	w    *csvfile.Writer
	line int
	rows int
}

func (g *gen) create(name string, dl Dialect, header []string) (*output, error) {
	f, err := os.Create(g.path(name))
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f, 256<<10)
	var dst io.Writer = buf
	if dl.Windows1252 {
		dst = charmap.Windows1252.NewEncoder().Writer(buf)
	}
	o := &output{name: name, f: f, buf: buf, w: csvfile.NewWriter(dst, csvfile.WriterOptions{Comma: dl.Comma, CRLF: dl.CRLF, BOM: dl.BOM})}
	if err := o.write(header); err != nil {
		f.Close()
		return nil, err
	}
	o.rows = 0
	return o, nil
}

// write writes one record and returns nothing but an error; o.line is its line number.
func (o *output) write(fields []string) error {
	o.line++
	o.rows++
	return o.w.Write(fields)
}

func (o *output) Close() error {
	err := o.w.Close()
	if ferr := o.buf.Flush(); err == nil {
		err = ferr
	}
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	return err
}
