package csvfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriterOptions is the dialect a Writer writes. The zero value is ',' and LF without a
// BOM; set them from a Reader's Dialect to write a file back the way it came.
type WriterOptions struct {
	Comma rune // 0 means ','
	CRLF  bool
	BOM   bool
	// Verbatim writes values as they are, not neutralised: for streams the toolkit
	// reads back itself (a SQLite table read as CSV), never for files people open.
	Verbatim bool
}

// errComma is returned by Write for a separator that cannot be written unambiguously.
var errComma = errors.New("invalid separator")

// Writer writes RFC 4180 records in UTF-8, every field neutralised against formula
// injection (see Neutralize), so that every file the toolkit writes is safe to open in
// a spreadsheet.
type Writer struct {
	w     *bufio.Writer
	opt   WriterOptions
	sep   string
	eol   string
	begun bool
	err   error
}

// NewWriter returns a Writer to w. Close flushes it (and does not close w).
func NewWriter(w io.Writer, opt WriterOptions) *Writer {
	if opt.Comma == 0 {
		opt.Comma = ','
	}
	wr := &Writer{w: bufio.NewWriter(w), opt: opt, sep: string(opt.Comma), eol: "\n"}
	if opt.CRLF {
		wr.eol = "\r\n"
	}
	if opt.Comma == '"' || opt.Comma == '\r' || opt.Comma == '\n' || opt.Comma == utf8.RuneError || !utf8.ValidRune(opt.Comma) {
		wr.err = fmt.Errorf("csv write: %w %q", errComma, opt.Comma)
	}
	return wr
}

// Write writes one record. After an error every later Write returns that error.
func (w *Writer) Write(fields []string) error {
	if w.err != nil {
		return w.err
	}
	if !w.begun && w.opt.BOM {
		w.w.WriteString("\uFEFF")
	}
	w.begun = true
	// A line that would be blank is skipped by readers: its first field is quoted.
	quoteFirst := blankLine(fields, w.sep)
	for i, f := range fields {
		if i > 0 {
			w.w.WriteString(w.sep)
		}
		if !w.opt.Verbatim {
			f = Neutralize(f)
		}
		if w.needsQuotes(f) || i == 0 && quoteFirst {
			w.w.WriteByte('"')
			w.w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.w.WriteByte('"')
		} else {
			w.w.WriteString(f)
		}
	}
	// bufio.Writer errors are sticky: the last write reports any earlier one.
	if _, err := w.w.WriteString(w.eol); err != nil {
		w.err = fmt.Errorf("csv write: %w", err)
	}
	return w.err
}

// blankLine reports whether fields, written unquoted, would make a line of white space
// at most (empty fields, or fields of white space between tabs), which readers skip.
func blankLine(fields []string, sep string) bool {
	if len(fields) > 1 && strings.TrimSpace(sep) != "" {
		return false
	}
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return len(fields) > 0
}

// needsQuotes reports whether f must be quoted to read back as itself: it holds the
// separator, a quote or a line break, or begins or ends with a space, which readers
// (ours included, for headers) may trim, or begins with a BOM, which ours removes from
// the start of a line.
func (w *Writer) needsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if strings.Contains(f, w.sep) || strings.ContainsAny(f, "\"\r\n") || strings.HasPrefix(f, "\uFEFF") {
		return true
	}
	first, last := f[0], f[len(f)-1]
	return first == ' ' || first == '\t' || last == ' ' || last == '\t'
}

// Close flushes the buffered records and returns the first error met.
func (w *Writer) Close() error {
	if err := w.w.Flush(); err != nil && w.err == nil {
		w.err = fmt.Errorf("csv flush: %w", err)
	}
	return w.err
}

// Neutralize defuses a cell that a spreadsheet would run as a formula (OWASP CSV
// injection): one that begins with '=', '+', '-', '@', tab or carriage return gets a
// leading single quote, unless it is a plain number such as "-12", "+3.5", "-12,5" or
// "-1e5", which must stay a number. A cell that already begins with a single quote gets
// one more, so that Unneutralize can undo exactly what was added: files the toolkit
// writes to be fixed and fed back (rejected rows, quarantine) read back as written.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if isPlainNumber(s) {
			return s
		}
		return "'" + s
	case '\'':
		return "'" + s
	}
	return s
}

// Unneutralize is the inverse of Neutralize: it removes exactly one leading single
// quote, so Unneutralize(Neutralize(s)) == s for every s. Only a reader of a file the
// toolkit wrote may apply it (the engine does for a file carrying _line or _errors): in
// any other file a leading quote is data.
func Unneutralize(s string) string { return strings.TrimPrefix(s, "'") }

// isPlainNumber reports whether s is a signed decimal number, with '.' or ',' as the
// decimal mark and an optional exponent: [+-]digits[(.|,)digits][(e|E)[+-]digits].
func isPlainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	intPart := digits()
	fracPart := 0
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		fracPart = digits()
		if fracPart == 0 {
			return false
		}
	}
	if intPart == 0 && fracPart == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
