// Package csvfile reads and writes the CSV files agencies really produce: ',' or ';'
// (or tab) separated, UTF-8 with or without BOM or Windows-1252, LF or CRLF, RFC 4180
// quoting. The reader streams records with their physical line number and raw text,
// and a malformed record is reported without stopping the file: encoding/csv and gocsv
// give up at the first bad quote, which would lose every row after it.
package csvfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Errors a ParseError wraps, and ErrEmpty for a file without even a header.
var (
	ErrEmpty      = errors.New("empty file: no header row")
	ErrFieldCount = errors.New("wrong number of fields")
	ErrQuote      = errors.New("broken quoting")
	ErrEncoding   = errors.New("invalid UTF-8 text")
)

// Encoding is the text encoding of a file.
type Encoding int

const (
	UTF8 Encoding = iota
	UTF8BOM
	Windows1252
)

func (e Encoding) String() string {
	switch e {
	case UTF8BOM:
		return "utf-8 with BOM"
	case Windows1252:
		return "windows-1252"
	}
	return "utf-8"
}

// Dialect is what the reader detected about a file.
type Dialect struct {
	Comma    rune
	Encoding Encoding
	CRLF     bool
}

func (d Dialect) String() string {
	sep := fmt.Sprintf("'%c' separated", d.Comma)
	if d.Comma == '\t' {
		sep = "tab separated"
	}
	ends := "LF"
	if d.CRLF {
		ends = "CRLF"
	}
	return d.Encoding.String() + ", " + sep + ", " + ends
}

// Record is one row of data: where it starts in the file (1-based physical line), its
// fields, and its original text (lines joined by "\n", without the final line end).
type Record struct {
	Line   int
	Fields []string
	Raw    string
}

// ParseError is a record that could not be read. Fields is a best-effort split of it,
// so that the row can still be shown in its columns. Reading goes on after it.
type ParseError struct {
	Line   int
	Raw    string
	Fields []string
	Err    error
}

var _ error = (*ParseError)(nil)

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *ParseError) Unwrap() error { return e.Err }

// Limits of a quoted field that spans lines: beyond them an open quote is taken for a
// broken one, reported, and reading starts again on the line after the one it opened on.
const (
	maxRecordLines = 100
	maxRecordBytes = 1 << 20
	sniffSize      = 64 << 10
)

// Reader reads records one at a time. It is not safe for concurrent use.
type Reader struct {
	br       *bufio.Reader
	dialect  Dialect
	header   []string
	line     int      // physical lines consumed, including those pushed back
	pushback []string // physical lines to read again after a broken quote
	eof      bool
}

// NewReader detects the dialect of r and reads its header. It returns an error wrapping
// ErrEmpty when r holds no header row.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	rd := &Reader{br: br}
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		rd.dialect.Encoding = UTF8BOM
		br.Discard(3)
	case !validUTF8Prefix(head, len(head) == sniffSize):
		rd.dialect.Encoding = Windows1252
		rd.br = bufio.NewReaderSize(transform.NewReader(br, charmap.Windows1252.NewDecoder()), sniffSize)
	}
	for {
		text, n, ok := rd.physical()
		if !ok {
			return nil, ErrEmpty
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		rd.dialect.CRLF = n
		rd.dialect.Comma = sniffComma(text)
		rd.pushback = append(rd.pushback, text)
		rd.line--
		break
	}
	rec, err := rd.record(-1)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("header: %w", err)
		}
		return nil, err
	}
	rd.header = make([]string, len(rec.Fields))
	for i, f := range rec.Fields {
		rd.header[i] = strings.TrimSpace(f)
	}
	return rd, nil
}

// validUTF8Prefix is utf8.Valid, allowing a rune cut at the end of a full sniff window.
func validUTF8Prefix(b []byte, cut bool) bool {
	if cut {
		for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
			if utf8.Valid(b) {
				return true
			}
			b = b[:len(b)-1]
		}
	}
	return utf8.Valid(b)
}

// sniffComma picks the separator used most in the header line outside quotes.
func sniffComma(line string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// Header returns the header's names, trimmed, as the file spells them.
func (r *Reader) Header() []string { return r.header }

// Dialect returns what NewReader detected.
func (r *Reader) Dialect() Dialect { return r.dialect }

// Read returns the next record, io.EOF at the end, or a *ParseError for a record that
// cannot be read; reading may go on after a ParseError.
func (r *Reader) Read() (*Record, error) { return r.record(len(r.header)) }

// physical returns the next physical line without its line end, whether it ended with
// CRLF, and false at the end of input.
func (r *Reader) physical() (string, bool, bool) {
	if n := len(r.pushback); n > 0 {
		s := r.pushback[0]
		r.pushback = r.pushback[1:]
		r.line++
		return s, false, true
	}
	if r.eof {
		return "", false, false
	}
	s, err := r.br.ReadString('\n')
	if err != nil {
		r.eof = true
		if s == "" {
			return "", false, false
		}
	}
	r.line++
	crlf := false
	if strings.HasSuffix(s, "\n") {
		s = s[:len(s)-1]
		if strings.HasSuffix(s, "\r") {
			s, crlf = s[:len(s)-1], true
		}
	}
	return s, crlf, true
}

// record reads the next non-blank record; want is the field count it must have (-1: any).
func (r *Reader) record(want int) (*Record, error) {
	var first string
	for {
		s, _, ok := r.physical()
		if !ok {
			return nil, io.EOF
		}
		if strings.TrimSpace(s) != "" {
			first = s
			break
		}
	}
	start := r.line
	if r.dialect.Encoding != Windows1252 && !utf8.ValidString(first) {
		return nil, &ParseError{Line: start, Raw: strings.ToValidUTF8(first, "\uFFFD"), Fields: r.naive(strings.ToValidUTF8(first, "\uFFFD")), Err: ErrEncoding}
	}
	lines := []string{first}
	text := first
	for {
		fields, open, err := split(text, r.dialect.Comma)
		if err == nil && !open {
			if want >= 0 && len(fields) != want {
				if len(lines) > 1 { // an open quote swallowed lines: blame the quote
					return nil, r.brokenQuote(start, lines)
				}
				return nil, &ParseError{Line: start, Raw: text, Fields: fields,
					Err: fmt.Errorf("%w: %d, want %d", ErrFieldCount, len(fields), want)}
			}
			return &Record{Line: start, Fields: fields, Raw: text}, nil
		}
		if err != nil {
			if len(lines) > 1 {
				return nil, r.brokenQuote(start, lines)
			}
			return nil, &ParseError{Line: start, Raw: text, Fields: r.naive(text), Err: err}
		}
		// The quote is open at the line end: the field may go on on the next line.
		next, _, ok := r.physical()
		if !ok || len(lines) >= maxRecordLines || len(text) > maxRecordBytes {
			if ok {
				lines = append(lines, next)
			}
			return nil, r.brokenQuote(start, lines)
		}
		lines = append(lines, next)
		text += "\n" + next
	}
}

// brokenQuote reports the record starting at line start as broken and gives back every
// line after its first, to be read again.
func (r *Reader) brokenQuote(start int, lines []string) error {
	r.pushback = append(append([]string(nil), lines[1:]...), r.pushback...)
	r.line -= len(lines) - 1
	return &ParseError{Line: start, Raw: lines[0], Fields: r.naive(lines[0]),
		Err: fmt.Errorf("%w: a quote opened on this line is not closed", ErrQuote)}
}

// naive splits a line on the separator, ignoring quotes: the best split of a bad line.
func (r *Reader) naive(s string) []string { return strings.Split(s, string(r.dialect.Comma)) }

// split parses one record's text. open is true when a quoted field is still open at the
// end of text; err is ErrQuote for text after a closing quote.
func split(s string, comma rune) (fields []string, open bool, err error) {
	sep := string(comma)
	for {
		if strings.HasPrefix(s, `"`) {
			s = s[1:]
			var b strings.Builder
			for {
				j := strings.IndexByte(s, '"')
				if j < 0 {
					return nil, true, nil
				}
				b.WriteString(s[:j])
				s = s[j+1:]
				if strings.HasPrefix(s, `"`) {
					b.WriteByte('"')
					s = s[1:]
					continue
				}
				break
			}
			fields = append(fields, b.String())
			rest := strings.TrimLeft(s, " \t")
			if rest == "" {
				return fields, false, nil
			}
			if !strings.HasPrefix(rest, sep) {
				return nil, false, fmt.Errorf("%w: text after a closing quote", ErrQuote)
			}
			s = rest[len(sep):]
			continue
		}
		j := strings.Index(s, sep)
		if j < 0 {
			return append(fields, s), false, nil
		}
		fields = append(fields, s[:j])
		s = s[j+len(sep):]
	}
}
