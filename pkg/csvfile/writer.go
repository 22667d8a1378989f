package csvfile

import (
	"bufio"
	"io"
	"regexp"
	"strings"
)

// WriterOptions is the dialect a Writer writes: ',' and LF unless told otherwise.
type WriterOptions struct {
	Comma rune
	CRLF  bool
	BOM   bool
}

// Writer writes RFC 4180 records, every field neutralised against formula injection
// (see Neutralize), so that every file the toolkit writes is safe to open in Excel.
type Writer struct {
	w     *bufio.Writer
	opt   WriterOptions
	begun bool
	err   error
}

// NewWriter returns a Writer to w; Close flushes it (and does not close w).
func NewWriter(w io.Writer, opt WriterOptions) *Writer {
	if opt.Comma == 0 {
		opt.Comma = ','
	}
	return &Writer{w: bufio.NewWriter(w), opt: opt}
}

// Write writes one record.
func (w *Writer) Write(fields []string) error {
	if w.err != nil {
		return w.err
	}
	if !w.begun && w.opt.BOM {
		w.w.WriteString("\uFEFF")
	}
	w.begun = true
	for i, f := range fields {
		if i > 0 {
			w.w.WriteRune(w.opt.Comma)
		}
		f = Neutralize(f)
		if w.needsQuotes(f) {
			w.w.WriteByte('"')
			w.w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.w.WriteByte('"')
		} else {
			w.w.WriteString(f)
		}
	}
	if w.opt.CRLF {
		_, w.err = w.w.WriteString("\r\n")
	} else {
		w.err = w.w.WriteByte('\n')
	}
	return w.err
}

func (w *Writer) needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	return strings.ContainsRune(f, w.opt.Comma) || strings.ContainsAny(f, "\"\r\n") ||
		f[0] == ' ' || f[len(f)-1] == ' ' || f[0] == '\t'
}

// Close flushes the buffered records and returns the first error met.
func (w *Writer) Close() error {
	if err := w.w.Flush(); w.err == nil {
		w.err = err
	}
	return w.err
}

var plainNumber = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)?$`)

// Neutralize defuses a cell that a spreadsheet would run as a formula (OWASP CSV
// injection): one that begins with '=', '+', '-', '@', tab or carriage return gets a
// leading quote, unless it is a plain number such as "-12.5".
func Neutralize(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || plainNumber.MatchString(s) {
		return s
	}
	return "'" + s
}
