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

// ErrEmpty is returned (wrapped) by NewReader for an input without a header row: no
// bytes at all, or only a BOM and blank lines. Callers treat it as "nothing to do"
// rather than as a broken file.
var ErrEmpty = errors.New("empty file")

// The errors a ParseError wraps, so that callers can count malformed rows by cause.
var (
	ErrFieldCount = errors.New("wrong number of fields")
	ErrQuote      = errors.New("broken quoting")
)

// Encoding is the text encoding a file was detected in.
type Encoding int

// The encodings agency exports come in: Excel writes Windows-1252 ("CSV (séparateur:
// point-virgule)") or UTF-8 with a BOM ("CSV UTF-8"); other tools write plain UTF-8.
const (
	UTF8 Encoding = iota
	UTF8BOM
	Windows1252
)

// String names the encoding the way reports print it.
func (e Encoding) String() string {
	switch e {
	case UTF8BOM:
		return "utf-8 with BOM"
	case Windows1252:
		return "windows-1252"
	}
	return "utf-8"
}

// Dialect is what the reader detected about a file, kept so that files written back
// (rejects, corrections) can be in the same dialect as the original.
type Dialect struct {
	Comma    rune
	Encoding Encoding
	CRLF     bool
}

// String describes the dialect for logs and reports, e.g.
// "windows-1252, ';' separated, CRLF".
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

// Record is one row of data. Line is the 1-based physical line it starts on and Raw
// its original text (decoded to UTF-8, line ends inside it kept as they were, without
// the final line end), so that a rejected row can be shown and re-injected exactly.
type Record struct {
	Line   int
	Fields []string
	Raw    string
}

// ParseError is a record that could not be read. Fields is a best-effort split of it
// (its count may be wrong), so that the row can still be shown in its columns. Reading
// goes on with the next Read after it.
type ParseError struct {
	Line   int
	Raw    string
	Fields []string
	Err    error
}

var _ error = (*ParseError)(nil)

// Error says where the record is and what is wrong with it, e.g.
// "line 7: wrong number of fields: 5, want 8".
func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap gives ErrFieldCount or ErrQuote to errors.Is.
func (e *ParseError) Unwrap() error { return e.Err }

// Limits on a record whose quoted field spans physical lines. Beyond them an open quote
// is taken for a broken one, so that one stray quote cannot swallow the rest of a file,
// and the memory a record holds stays bounded.
const (
	maxRecordLines = 50
	maxRecordBytes = 256 << 10
	sniffSize      = 64 << 10
)

// physLine is one physical line: its text and the line end that followed it ("\n",
// "\r\n", or "" at the end of input).
type physLine struct {
	text, eol string
}

// Reader reads records one at a time, holding no more than the current record (plus,
// after a broken quote, the few lines it had tentatively taken, which are read again).
// It is not safe for concurrent use.
//
// Quoting follows RFC 4180 with two lenient rules and one recovery rule:
//   - a quote inside an unquoted field (ab"c) is kept literally;
//   - spaces between a closing quote and the separator are ignored, but any other
//     text there ("ab"c,) is a broken quote;
//   - a quoted field may span physical lines (line ends inside it become "\n"), but
//     only if its closing quote comes within maxRecordLines lines and maxRecordBytes
//     bytes, is followed by a separator or the line end, and the record then has the
//     header's number of fields. Otherwise the quote is taken for a broken one: the
//     record's first physical line alone is reported as a *ParseError wrapping
//     ErrQuote, and reading starts again with the physical line after it. So in a
//     file whose line 5 is `5,"Dupont,x@y.fr,Lyon`, line 5 is one error and every
//     other line is read normally, while `1,"line one` + `line two",x` is one record.
type Reader struct {
	br       *bufio.Reader
	dialect  Dialect
	header   []string
	sep      string
	fixUTF8  bool // undecoded input: invalid UTF-8 past the sniffed start must be repaired
	line     int  // physical lines handed out, pushed-back ones excluded
	pushback []physLine
	eof      bool
	err      error // sticky I/O error
}

// NewReader detects the encoding, separator and line ends of r from its start (without
// consuming more than it reads) and reads the header row. It returns an error wrapping
// ErrEmpty when r holds no header row.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("csv: sniff: %w", err)
	}
	rd := &Reader{br: br, fixUTF8: true}
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		rd.dialect.Encoding = UTF8BOM
		if _, err := br.Discard(3); err != nil {
			return nil, fmt.Errorf("csv: skip BOM: %w", err)
		}
	case !validUTF8Prefix(head, len(head) == sniffSize):
		rd.dialect.Encoding = Windows1252
		rd.fixUTF8 = false
		rd.br = bufio.NewReaderSize(transform.NewReader(br, charmap.Windows1252.NewDecoder()), sniffSize)
	}
	for {
		l, ok, err := rd.next()
		if err != nil {
			return nil, fmt.Errorf("csv: header: %w", err)
		}
		if !ok {
			return nil, fmt.Errorf("csv: %w", ErrEmpty)
		}
		if blank(l.text) {
			continue
		}
		rd.dialect.CRLF = l.eol == "\r\n"
		rd.dialect.Comma = sniffComma(l.text)
		rd.sep = string(rd.dialect.Comma)
		rd.unread([]physLine{l})
		break
	}
	rec, err := rd.record(-1)
	if err != nil {
		return nil, fmt.Errorf("csv: header: %w", err)
	}
	rd.header = make([]string, len(rec.Fields))
	for i, f := range rec.Fields {
		rd.header[i] = strings.TrimSpace(strings.TrimPrefix(f, "\uFEFF"))
	}
	return rd, nil
}

// validUTF8Prefix is utf8.Valid, except that when the sniff window is full a rune cut
// by its end does not count against the text.
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

// sniffComma picks the separator used most in the header line outside quotes; ','
// wins ties because it is the standard one.
func sniffComma(line string) rune {
	var comma, semi, tab int
	quoted := false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				comma++
			}
		case ';':
			if !quoted {
				semi++
			}
		case '\t':
			if !quoted {
				tab++
			}
		}
	}
	switch {
	case semi > comma && semi >= tab:
		return ';'
	case tab > comma && tab > semi:
		return '\t'
	}
	return ','
}

// Header returns the header's names as the file spells them, trimmed of surrounding
// spaces and of the BOM.
func (r *Reader) Header() []string { return r.header }

// Dialect returns what NewReader detected.
func (r *Reader) Dialect() Dialect { return r.dialect }

// Read returns the next record, io.EOF at the end, or a *ParseError for a record that
// cannot be read; reading may go on after a ParseError. Blank lines are skipped (but
// counted in line numbers). Any other error is an I/O error and is final.
func (r *Reader) Read() (*Record, error) { return r.record(len(r.header)) }

// blank reports whether a line holds only white space, and so is no record.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// next returns the next physical line and false at the end of input.
func (r *Reader) next() (physLine, bool, error) {
	if len(r.pushback) > 0 {
		l := r.pushback[0]
		r.pushback = r.pushback[1:]
		if len(r.pushback) == 0 {
			r.pushback = nil
		}
		r.line++
		return l, true, nil
	}
	if r.eof {
		return physLine{}, false, r.err
	}
	s, err := r.br.ReadString('\n')
	if err != nil {
		r.eof = true
		if err != io.EOF {
			r.err = fmt.Errorf("read line %d: %w", r.line+1, err)
			return physLine{}, false, r.err
		}
		if s == "" {
			return physLine{}, false, nil
		}
	}
	r.line++
	l := physLine{text: s}
	switch {
	case strings.HasSuffix(s, "\r\n"):
		l.text, l.eol = s[:len(s)-2], "\r\n"
	case strings.HasSuffix(s, "\n"):
		l.text, l.eol = s[:len(s)-1], "\n"
	case strings.HasSuffix(s, "\r"): // a file cut after the CR of its last CRLF
		l.text = s[:len(s)-1]
	}
	if r.fixUTF8 && !utf8.ValidString(l.text) {
		l.text = repairUTF8(l.text)
	}
	return l, true, nil
}

// unread gives lines back, to be read again first.
func (r *Reader) unread(lines []physLine) {
	if len(lines) == 0 {
		return
	}
	r.pushback = append(append([]physLine(nil), lines...), r.pushback...)
	r.line -= len(lines)
}

// repairUTF8 decodes the bytes of s that are not UTF-8 as Windows-1252. A file sniffed
// as UTF-8 because its first 64 KiB were plain ASCII is most often a Windows-1252 file
// whose first accent comes later (or two files pasted together), so this reads it right
// instead of rejecting every accented row.
func repairUTF8(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c, n := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && n <= 1 {
			b.WriteRune(charmap.Windows1252.DecodeByte(s[i]))
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// record reads the next non-blank record; want is the number of fields it must have
// (-1: any, for the header).
func (r *Reader) record(want int) (*Record, error) {
	var first physLine
	for {
		l, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
		if !blank(l.text) {
			first = l
			break
		}
	}
	start := r.line
	p := parser{sep: r.sep}
	if want > 0 {
		p.fields = make([]string, 0, want)
	}
	switch p.line(first.text) {
	case lineDone:
		if want >= 0 && len(p.fields) != want {
			return nil, &ParseError{Line: start, Raw: first.text, Fields: p.fields,
				Err: fmt.Errorf("%w: %d, want %d", ErrFieldCount, len(p.fields), want)}
		}
		return &Record{Line: start, Fields: p.fields, Raw: first.text}, nil
	case lineBadQuote:
		return nil, &ParseError{Line: start, Raw: first.text, Fields: r.naive(first.text),
			Err: fmt.Errorf("%w: text after a closing quote", ErrQuote)}
	}

	// A quoted field is open at the end of the line: it may go on on the next ones.
	lines := []physLine{first}
	size := len(first.text)
	for {
		if len(lines) >= maxRecordLines || size > maxRecordBytes {
			return nil, r.brokenQuote(start, lines, "is not closed within %d lines", len(lines))
		}
		l, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, r.brokenQuote(start, lines, "is never closed")
		}
		lines = append(lines, l)
		size += len(lines[len(lines)-2].eol) + len(l.text)
		p.buf.WriteByte('\n') // the line end inside the quotes, CRLF or LF
		switch p.line(l.text) {
		case lineOpen:
			continue
		case lineBadQuote:
			return nil, r.brokenQuote(start, lines, "closes on line %d with text after it", r.line)
		}
		if want >= 0 && len(p.fields) != want {
			return nil, r.brokenQuote(start, lines, "runs to line %d and leaves %d fields, want %d",
				r.line, len(p.fields), want)
		}
		var raw strings.Builder
		raw.Grow(size)
		for i, l := range lines {
			if i > 0 {
				raw.WriteString(lines[i-1].eol)
			}
			raw.WriteString(l.text)
		}
		return &Record{Line: start, Fields: p.fields, Raw: raw.String()}, nil
	}
}

// brokenQuote reports the record starting at line start as a broken quote on that line
// alone, and gives back every line after it, to be read again as records of their own.
func (r *Reader) brokenQuote(start int, lines []physLine, format string, args ...any) error {
	r.unread(lines[1:])
	return &ParseError{Line: start, Raw: lines[0].text, Fields: r.naive(lines[0].text),
		Err: fmt.Errorf("%w: a quote opened on this line "+format, append([]any{ErrQuote}, args...)...)}
}

// naive splits a line on the separator, ignoring quotes: for a line whose quoting is
// broken it is the split a person would make.
func (r *Reader) naive(s string) []string { return strings.Split(s, r.sep) }

// Outcomes of parser.line.
const (
	lineDone     = iota // the record ends with this line
	lineOpen            // a quoted field is still open at the end of the line
	lineBadQuote        // text follows a closing quote
)

// parser splits one record, a physical line at a time, so that a record spanning lines
// is scanned once (no quadratic re-scan when a broken quote is tried on many lines).
type parser struct {
	sep    string
	fields []string
	open   bool            // inside a quoted field at the end of the previous line
	buf    strings.Builder // text so far of a quoted field that needs copying
}

// line parses the next physical line of the record.
func (p *parser) line(s string) int {
	if p.open {
		rest, closed := p.quoted(s)
		if !closed {
			return lineOpen
		}
		p.open = false
		p.fields = append(p.fields, p.buf.String())
		p.buf.Reset()
		var st int
		if s, st = p.afterQuote(rest); st != -1 {
			return st
		}
	}
	for {
		if len(s) == 0 || s[0] != '"' {
			j := strings.Index(s, p.sep)
			if j < 0 {
				p.fields = append(p.fields, s)
				return lineDone
			}
			p.fields = append(p.fields, s[:j])
			s = s[j+len(p.sep):]
			continue
		}
		s = s[1:]
		var rest string
		if j := strings.IndexByte(s, '"'); j >= 0 && (j+1 == len(s) || s[j+1] != '"') {
			// The common case: no doubled quote, the field is a substring of the line.
			p.fields = append(p.fields, s[:j])
			rest = s[j+1:]
		} else {
			var closed bool
			if rest, closed = p.quoted(s); !closed {
				p.open = true
				return lineOpen
			}
			p.fields = append(p.fields, p.buf.String())
			p.buf.Reset()
		}
		var st int
		if s, st = p.afterQuote(rest); st != -1 {
			return st
		}
	}
}

// quoted copies the text of a quoted field (its opening quote already consumed) into
// p.buf, undoubling quotes. It returns what follows the closing quote, or false when s
// ends inside the field.
func (p *parser) quoted(s string) (string, bool) {
	for {
		j := strings.IndexByte(s, '"')
		if j < 0 {
			p.buf.WriteString(s)
			return "", false
		}
		p.buf.WriteString(s[:j])
		if j+1 < len(s) && s[j+1] == '"' {
			p.buf.WriteByte('"')
			s = s[j+2:]
			continue
		}
		return s[j+1:], true
	}
}

// afterQuote checks what follows a closing quote: the line end (lineDone), a separator
// (-1, with the text of the next field), or anything else (lineBadQuote). Spaces before
// the separator are tolerated, and so are tabs unless tab is the separator.
func (p *parser) afterQuote(rest string) (string, int) {
	for len(rest) > 0 && (rest[0] == ' ' || rest[0] == '\t' && p.sep != "\t") {
		rest = rest[1:]
	}
	switch {
	case rest == "":
		return "", lineDone
	case strings.HasPrefix(rest, p.sep):
		return rest[len(p.sep):], -1
	}
	return "", lineBadQuote
}

// SplitRaw splits raw, the text of one record as a Record or ParseError kept it (line
// ends inside quotes included), into want fields. Its separator is the one its text
// uses most, as for a header, since a record fed back inside another file (the _raw
// column of rejected rows) no longer has its own file around it. It returns a
// *ParseError (Line 0) when raw is still not a record of want fields, so that a row
// fed back unchanged is rejected the way it was the first time.
func SplitRaw(raw string, want int) ([]string, error) {
	lines := strings.Split(raw, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	p := parser{sep: string(sniffComma(lines[0]))}
	fail := func(err error) error {
		return &ParseError{Raw: raw, Fields: strings.Split(lines[0], p.sep), Err: err}
	}
	for i, l := range lines {
		if i > 0 {
			p.buf.WriteByte('\n')
		}
		switch p.line(l) {
		case lineOpen:
			if i == len(lines)-1 {
				return nil, fail(fmt.Errorf("%w: a quote is never closed", ErrQuote))
			}
			continue
		case lineBadQuote:
			return nil, fail(fmt.Errorf("%w: text after a closing quote", ErrQuote))
		}
		if i != len(lines)-1 {
			return nil, fail(fmt.Errorf("%w: text after the end of the record", ErrQuote))
		}
	}
	if len(p.fields) != want {
		return nil, fail(fmt.Errorf("%w: %d, want %d", ErrFieldCount, len(p.fields), want))
	}
	return p.fields, nil
}
