// Package csvfile reads and writes the CSV files agencies really produce: ',' or ';'
// (or tab) separated, UTF-8 with or without BOM or Windows-1252 (or both, line by line),
// LF, CRLF or CR line ends, RFC 4180 quoting. The reader streams records with their
// physical line number and raw text, and a malformed record is reported without
// stopping the file: encoding/csv and gocsv give up at the first bad quote, which would
// lose every row after it. What is not CSV text at all (gzip, a workbook, UTF-16) is
// refused at once, saying what it is.
package csvfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"dmt/pkg/rules"
)

// ErrEmpty is returned (wrapped) by NewReader for an input without a header row: no
// bytes at all, or only a BOM and blank lines. Callers treat it as "nothing to do"
// rather than as a broken file.
var ErrEmpty = errors.New("empty file")

// ErrNotText is returned (wrapped) by NewReader for an input that is no CSV text at all
// (gzip-compressed, an Excel workbook, UTF-16 text), with a message saying what it is:
// read as CSV, such a file would only give a misleading "missing required columns".
var ErrNotText = errors.New("not CSV text")

// The errors a ParseError wraps, so that callers can count malformed rows by cause.
var (
	ErrFieldCount = errors.New("wrong number of fields")
	ErrQuote      = errors.New("broken quoting")
	ErrTooLarge   = errors.New("record too large")
	// ErrAmbiguous: a record's text read with two separators gives two rows of the
	// right width (SplitRaw).
	ErrAmbiguous = errors.New("ambiguous separator")
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
// (rejects, corrections) can be in the same dialect as the original. Encoding is the
// file's main encoding: each line is still decoded on its own (see Reader).
type Dialect struct {
	Comma    rune
	Encoding Encoding
	CRLF     bool
	CR       bool // lines end in a bare CR (classic Mac OS exports); CRLF is then false
}

// String describes the dialect for logs and reports, e.g.
// "windows-1252, ';' separated, CRLF".
func (d Dialect) String() string {
	sep := fmt.Sprintf("'%c' separated", d.Comma)
	if d.Comma == '\t' {
		sep = "tab separated"
	}
	ends := "LF"
	switch {
	case d.CR:
		ends = "CR"
	case d.CRLF:
		ends = "CRLF"
	}
	return d.Encoding.String() + ", " + sep + ", " + ends
}

// Record is one row of data. Line is the 1-based physical line it starts on and Raw
// its original text (decoded to UTF-8, line ends inside it kept as they were, without
// the final line end), so that a rejected row can be shown and re-injected exactly.
// Notes says what the reader did to its text to read it, for the caller to log.
type Record struct {
	Line   int
	Fields []string
	Raw    string
	Notes  []Note
}

// Note is something the reader did to a line in order to read it: decoded it in
// another encoding than the file's, or removed a BOM at its start. Nothing is mended
// silently: the caller logs each note.
type Note struct {
	Line   int // the physical line
	Code   rules.Code
	Detail string
}

// ParseError is a record that could not be read. Fields is a best-effort split of it
// (its count may be wrong; for a record with too many fields it holds one more than the
// header, never more than MaxColumns), so that the row can still be shown in its columns. Reading goes on with the next Read
// after it. Truncated says that Raw holds only the first MaxLineBytes bytes of the
// record (ErrTooLarge): WriteWhole then gives its whole text from the input read again,
// since the reader cannot hold it, and RawBytes is the size of that whole text.
type ParseError struct {
	Line      int
	Raw       string
	Fields    []string
	Err       error
	Truncated bool
	Notes     []Note
	// For a Truncated record: where its line is in the input (bytes from the start of
	// what NewReader was given, line end excluded), and the length of its whole text
	// once decoded (Raw's whole length).
	Offset, Size, RawBytes int64
	cp1252                 bool // the whole line is read as Windows-1252
	skip                   int  // bytes of decoded text dropped at its start (BOMs removed)
}

var _ error = (*ParseError)(nil)

// Error says where the record is and what is wrong with it, e.g.
// "line 7: wrong number of fields: 5, want 8".
func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap gives ErrFieldCount, ErrQuote or ErrTooLarge to errors.Is.
func (e *ParseError) Unwrap() error { return e.Err }

// Limits that keep the time and memory a record costs bounded, whatever the input.
const (
	// MaxLineBytes is the longest physical line read whole. A longer line is one
	// *ParseError wrapping ErrTooLarge whose Raw holds its first MaxLineBytes bytes
	// (Truncated): the rest is skipped without being held, so a 50 MB line of garbage
	// costs no more memory than this. No row of the contract comes near it (its longest
	// rows are a few kilobytes).
	MaxLineBytes = 4 << 20
	// MaxColumns is the most columns a header may have, Excel's limit (16,384). A data
	// record keeps at most one field more than its header: the surplus is counted, so
	// that "wrong number of fields: 100007, want 7" costs the time of scanning it, not
	// the memory of 100,000 strings.
	MaxColumns = 16384

	// A quoted field may span physical lines only within these limits; beyond them its
	// opening quote is taken for a broken one, so that one stray quote cannot swallow
	// the rest of a file.
	maxRecordLines = 50
	maxQuotedBytes = 256 << 10

	sniffSize = 64 << 10
)

// physLine is one physical line: its text (decoded) and the line end that followed it
// ("\n", "\r\n", "\r", or "" at the end of input).
type physLine struct {
	text, eol string
	off       int64 // where it starts in the input
	size      int   // its length in the input, line end excluded
	whole     int64 // for a cut line: the length of its whole text decoded
	cp1252    bool  // for a cut line: its whole text is read as Windows-1252
	cut       bool  // longer than MaxLineBytes: text holds its start only
	recoded   bool  // not in the file's main encoding, decoded in the other one
}

// Reader reads records one at a time, holding no more than the current record (plus,
// after a broken quote, the few lines it had tentatively taken, which are read again).
// It is not safe for concurrent use.
//
// Line ends are LF, CRLF or, when the start of the file uses them, bare CR (classic Mac
// OS exports; a file whose lines end in CR read as one line would be one huge header
// and no rows). Each physical line is decoded on its own: a line that is valid UTF-8
// is read as UTF-8, any other as Windows-1252, so that one Latin-1 line pasted into a
// UTF-8 file (or the reverse) garbles nothing else; a line in the other encoding than
// the file's main one gets a Note. A BOM at the start of a record (two exports pasted
// together) is removed, with a Note.
//
// Quoting follows RFC 4180 with two lenient rules and two recovery rules:
//   - a quote inside an unquoted field (ab"c) is kept literally;
//   - spaces between a closing quote and the separator are ignored, but any other
//     text there ("ab"c,) is a broken quote;
//   - a quoted field may span physical lines (line ends inside it become "\n"), but
//     only if its closing quote comes within maxRecordLines lines and maxQuotedBytes
//     bytes, is followed by a separator or the line end, and the record then has the
//     header's number of fields. Otherwise the quote is taken for a broken one: the
//     record's first physical line alone is reported as a *ParseError wrapping
//     ErrQuote, and reading starts again with the physical line after it. So in a
//     file whose line 5 is `5,"Dupont,x@y.fr,Lyon`, line 5 is one error and every
//     other line is read normally, while `1,"line one` + `line two",x` is one record;
//   - a record spanning lines one of whose later lines is, by itself, a whole record
//     of the header's width is taken for two records merged by stray quotes
//     (`1,"Acme,IT,...` + `2,Beta Corp",IT,...` would hide client 2 inside client
//     1's name): the lines it spans are reported together as one *ParseError wrapping
//     ErrQuote, whose Raw keeps them all, and nothing of them is loaded. No column of
//     the toolkit's contracts expects multi-line text (their texts are short and
//     their inner line ends collapse to spaces), so a true multi-line value is only
//     refused when a line of it looks exactly like a row, which is then ambiguous.
//
// A record's memory is bounded: lines longer than MaxLineBytes are cut (ErrTooLarge),
// and fields beyond the header's count are counted, not kept.
type Reader struct {
	br       *bufio.Reader
	dialect  Dialect
	header   []string
	sep      string
	buf      []byte // the physical line being read, at most MaxLineBytes+2 bytes
	pos      int64  // bytes of the input consumed
	line     int    // physical lines handed out, pushed-back ones excluded
	pushback []physLine
	eof      bool
	err      error // sticky I/O error
}

// NewReader detects the encoding, separator and line ends of r from its start (without
// consuming more than it reads) and reads the header row. It returns an error wrapping
// ErrEmpty when r holds no header row, ErrNotText when r is no CSV text (compressed,
// a workbook, UTF-16), and a *ParseError for a header that cannot be one: broken
// quoting, a line break inside a column name, more than MaxColumns columns or
// MaxLineBytes bytes.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("csv: sniff: %w", err)
	}
	full := len(head) == sniffSize
	if what := notText(head); what != "" {
		return nil, fmt.Errorf("csv: %w: %s", ErrNotText, what)
	}
	rd := &Reader{br: br}
	if bytes.HasPrefix(head, bom) {
		rd.dialect.Encoding = UTF8BOM
		if _, err := br.Discard(len(bom)); err != nil {
			return nil, fmt.Errorf("csv: skip BOM: %w", err)
		}
		rd.pos = int64(len(bom))
		head = head[len(bom):]
	}
	rd.dialect.CR = bareCR(head, full)
	if rd.dialect.Encoding == UTF8 && mostlyWindows1252(head, full) {
		rd.dialect.Encoding = Windows1252
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
		rd.dialect.CRLF = l.eol == "\r\n" && !rd.dialect.CR
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

var bom = []byte{0xEF, 0xBB, 0xBF}

// notText says what the start of a file is when it is no CSV text, or "".
func notText(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0x1F, 0x8B}):
		return "gzip-compressed data; decompress it first (gunzip)"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "a zip archive (an Excel .xlsx workbook?); save the sheet as CSV"
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "an Excel 97-2003 workbook (.xls); save the sheet as CSV"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}), utf16Pattern(head):
		return `UTF-16 text (Excel's "Unicode Text"); save it as "CSV UTF-8"`
	}
	return ""
}

// utf16Pattern reports whether the start of a file has the NUL of every other byte
// that UTF-16 without a BOM gives to ASCII text (a header is ASCII), as opposed to a
// stray NUL in a value.
func utf16Pattern(head []byte) bool {
	n := min(len(head), 512) &^ 1
	if n < 4 {
		return false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	return odd*2 >= pairs && even*8 < pairs || even*2 >= pairs && odd*8 < pairs
}

// bareCR reports whether the header line (the first that is not blank) ends in a bare
// CR, not followed by LF: a classic Mac OS export. The header alone decides, since
// values further on may hold CRs inside their quotes; a CR ending a full sniff window
// cannot be judged.
func bareCR(head []byte, full bool) bool {
	i := 0
	for i < len(head) && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n') {
		i++
	}
	quoted := false
	for ; i < len(head); i++ {
		switch head[i] {
		case '"':
			quoted = !quoted
		case '\n':
			if !quoted {
				return false
			}
		case '\r':
			if !quoted {
				if i+1 < len(head) {
					return head[i+1] != '\n'
				}
				return !full
			}
		}
	}
	return false
}

// mostlyWindows1252 reports whether, among the lines at the start of a file that are
// not plain ASCII, more are invalid UTF-8 (so Windows-1252) than valid. A line cut by
// the end of a full sniff window is not judged.
func mostlyWindows1252(head []byte, full bool) bool {
	valid, invalid := 0, 0
	for len(head) > 0 {
		i := bytes.IndexAny(head, "\r\n")
		if i < 0 {
			if full {
				break
			}
			i = len(head)
		}
		l := head[:i]
		head = head[min(i+1, len(head)):]
		if ascii(l) {
			continue
		}
		if utf8.Valid(l) {
			valid++
		} else {
			invalid++
		}
	}
	return invalid > valid
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
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
	var l physLine
	ok, err := r.readLine(&l)
	if err != nil {
		r.eof = true
		r.err = fmt.Errorf("read line %d: %w", r.line+1, err)
		return physLine{}, false, r.err
	}
	if !ok {
		r.eof = true
		return physLine{}, false, nil
	}
	r.line++
	return l, true, nil
}

// readLine reads one physical line into l, holding at most MaxLineBytes of it: the rest
// of a longer line is read and dropped, so that its cost is the time to scan it.
func (r *Reader) readLine(l *physLine) (bool, error) {
	r.buf = r.buf[:0]
	l.off = r.pos
	var term, prev byte // the byte that ended the line, and the one before it
	total := 0
	var long wholeLine // the whole of a line longer than r.buf holds, scanned as it goes
	fed := 0           // bytes of the line long has seen
	for {
		var chunk []byte
		var err error
		if r.dialect.CR {
			chunk, err = r.sliceCR()
		} else {
			chunk, err = r.br.ReadSlice('\n')
		}
		total += len(chunk)
		r.pos += int64(len(chunk))
		if err == nil && total == len(chunk) && !r.dialect.CR {
			// The common case: the whole line is in the buffer, decode it from there.
			r.endLine(l, chunk, total, chunk[len(chunk)-1], prevByte(chunk, 0), nil)
			return true, nil
		}
		if room := MaxLineBytes + 2 - len(r.buf); room > 0 {
			add := chunk[:min(room, len(chunk))]
			if len(r.buf)+len(add) > cap(r.buf) {
				// Double, not append's 1.25: a long line costs twice its length, not five times.
				r.buf = append(make([]byte, 0, min(max(2*cap(r.buf), len(r.buf)+len(add)), MaxLineBytes+2)), r.buf...)
			}
			r.buf = append(r.buf, add...)
		}
		if total > len(r.buf) {
			if fed == 0 {
				long.add(r.buf)
				fed = len(r.buf)
			}
			long.add(chunk[len(chunk)-(total-fed):])
			fed = total
		}
		if len(chunk) > 0 {
			prev, term = prevByte(chunk, term), chunk[len(chunk)-1]
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if total == 0 {
				return false, nil
			}
			err = nil
			if term != '\n' && term != '\r' {
				term = 0
			}
		}
		if err != nil {
			return false, err
		}
		break
	}
	var whole *wholeLine
	if fed > 0 {
		whole = &long
	}
	r.endLine(l, r.buf, total, term, prev, whole)
	return true, nil
}

// prevByte is the byte before the last of a non-empty chunk: its own, or for a chunk
// of one byte, last, the last byte of the chunk before it.
func prevByte(chunk []byte, last byte) byte {
	if len(chunk) >= 2 {
		return chunk[len(chunk)-2]
	}
	return last
}

// endLine makes l the physical line of buf (at most MaxLineBytes+2 bytes of a line of
// total bytes, line end included), given the byte that ended it and the one before, and
// for a line longer than buf, what was seen of it whole.
func (r *Reader) endLine(l *physLine, buf []byte, total int, term, prev byte, whole *wholeLine) {
	eol := 0
	switch {
	case term == '\n' && prev == '\r' && total >= 2:
		l.eol, eol = "\r\n", 2
	case term == '\n':
		l.eol, eol = "\n", 1
	case term == '\r' && r.dialect.CR:
		l.eol, eol = "\r", 1
		if b, _ := r.br.Peek(1); len(b) == 1 && b[0] == '\n' {
			r.br.Discard(1)
			r.pos++
			l.eol = "\r\n"
		}
	case term == '\r': // a file cut after the CR of its last CRLF
		eol = 1
	}
	l.size = total - eol
	text := buf[:min(l.size, MaxLineBytes)]
	if l.cut = l.size > MaxLineBytes; l.cut {
		// Do not leave a rune cut in two at the end of the kept text.
		for i := 0; i < utf8.UTFMax-1 && len(text) > 0 && !utf8.Valid(text); i++ {
			if utf8.Valid(text[:len(text)-1]) {
				text = text[:len(text)-1]
				break
			}
			text = text[:len(text)-1]
		}
	}
	l.text, l.recoded = r.decode(text)
	if l.cut {
		if whole == nil { // the line fits buf, only its end made it too long
			whole = &wholeLine{}
			whole.add(buf[:total])
		}
		// The line end is ASCII: it changes neither the encoding nor the decoded size
		// beyond its own bytes.
		l.cp1252 = !whole.valid()
		l.whole = whole.n8 - int64(eol)
		if l.cp1252 {
			l.whole = whole.n1252 - int64(eol)
			if bytes.HasPrefix(buf, bom) {
				l.whole -= 3 // decode keeps a BOM as U+FEFF (3 bytes), not as "ï»¿" (6)
			}
		}
	}
	if cap(r.buf) > sniffSize {
		r.buf = nil // a long line's buffer is not kept for the short ones after it
	}
}

// sliceCR is bufio.Reader.ReadSlice for files whose lines end in CR: it stops after
// the first CR or LF.
func (r *Reader) sliceCR() ([]byte, error) {
	scanned := 0
	n := max(r.br.Buffered(), 1)
	for {
		b, err := r.br.Peek(n)
		if i := bytes.IndexAny(b[scanned:], "\r\n"); i >= 0 {
			r.br.Discard(scanned + i + 1)
			return b[:scanned+i+1], nil
		}
		scanned = len(b)
		if err != nil || len(b) == r.br.Size() {
			r.br.Discard(len(b))
			if err == nil {
				err = bufio.ErrBufferFull
			}
			return b, err
		}
		n = len(b) + 1
	}
}

// cp1252 maps the bytes 0x80-0xFF of Windows-1252 to their runes.
var cp1252 = func() (t [128]rune) {
	for i := range t {
		t[i] = charmap.Windows1252.DecodeByte(byte(0x80 + i))
	}
	return t
}()

// decode returns a line's text in UTF-8, and whether it was in the other encoding than
// the file's main one: a valid UTF-8 line is read as UTF-8 (a Windows-1252 text is
// almost never valid UTF-8 unless it is ASCII), any other as Windows-1252. A BOM at its
// start stays, for record to remove.
func (r *Reader) decode(b []byte) (string, bool) {
	if utf8.Valid(b) {
		return string(b), r.dialect.Encoding == Windows1252 && !ascii(b)
	}
	var s strings.Builder
	s.Grow(len(b) + len(b)/8)
	if bytes.HasPrefix(b, bom) {
		s.WriteString("\uFEFF")
		b = b[len(bom):]
	}
	for _, c := range b {
		if c < utf8.RuneSelf {
			s.WriteByte(c)
		} else {
			s.WriteRune(cp1252[c-0x80])
		}
	}
	return s.String(), r.dialect.Encoding != Windows1252
}

// unread gives lines back, to be read again first.
func (r *Reader) unread(lines []physLine) {
	if len(lines) == 0 {
		return
	}
	r.pushback = append(append([]physLine(nil), lines...), r.pushback...)
	r.line -= len(lines)
}

// notes lists what was done to the lines of a record starting at line start.
func (r *Reader) notes(start int, bomRemoved bool, lines ...physLine) []Note {
	if !bomRemoved && len(lines) == 1 && !lines[0].recoded {
		return nil // the common case, kept cheap
	}
	var ns []Note
	if bomRemoved {
		ns = append(ns, Note{Line: start, Code: rules.StrayBOM,
			Detail: "a byte-order mark (U+FEFF) at the start of the line, removed (two files pasted together?)"})
	}
	for i, l := range lines {
		if !l.recoded {
			continue
		}
		d := "not UTF-8: read as Windows-1252"
		if r.dialect.Encoding == Windows1252 {
			d = "UTF-8 in a Windows-1252 file: read as UTF-8"
		}
		ns = append(ns, Note{Line: start + i, Code: rules.MixedEncoding, Detail: d})
	}
	return ns
}

// record reads the next non-blank record; want is the number of fields it must have
// (-1: any, for the header, which must then hold on one line).
func (r *Reader) record(want int) (*Record, error) {
	var first physLine
	bomRemoved := false
	skip := 0 // bytes of BOMs removed from the start of first
	for {
		l, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
		n := len(l.text)
		for strings.HasPrefix(l.text, "\uFEFF") {
			l.text = l.text[len("\uFEFF"):]
			bomRemoved = true
		}
		skip = n - len(l.text)
		if !blank(l.text) {
			first = l
			break
		}
		bomRemoved = false
	}
	start := r.line
	if first.cut {
		return nil, &ParseError{Line: start, Raw: first.text, Fields: r.naive(first.text), Truncated: true,
			Offset: first.off, Size: int64(first.size), RawBytes: first.whole - int64(skip), cp1252: first.cp1252, skip: skip,
			Notes: r.notes(start, bomRemoved, first),
			Err: fmt.Errorf("%w: a line of %d bytes, longer than the %d a record may have",
				ErrTooLarge, first.size, MaxLineBytes)}
	}
	p := parser{sep: r.sep, keep: MaxColumns + 1}
	if want > 0 {
		p.keep = want + 1
		p.fields = make([]string, 0, want)
	}
	switch p.line(first.text) {
	case lineDone:
		if want < 0 && p.n > MaxColumns {
			return nil, &ParseError{Line: start, Raw: first.text, Err: fmt.Errorf("%w: %d columns, more than %d",
				ErrTooLarge, p.n, MaxColumns)}
		}
		if want >= 0 && p.n != want {
			return nil, &ParseError{Line: start, Raw: first.text, Fields: p.fields, Notes: r.notes(start, bomRemoved, first),
				Err: fmt.Errorf("%w: %d, want %d", ErrFieldCount, p.n, want)}
		}
		return &Record{Line: start, Fields: p.fields, Raw: first.text, Notes: r.notes(start, bomRemoved, first)}, nil
	case lineBadQuote:
		return nil, &ParseError{Line: start, Raw: first.text, Fields: r.naive(first.text), Notes: r.notes(start, bomRemoved, first),
			Err: fmt.Errorf("%w: text after a closing quote", ErrQuote)}
	}
	if want < 0 {
		return nil, &ParseError{Line: start, Raw: first.text, Fields: r.naive(first.text),
			Err: fmt.Errorf("%w: a quote is not closed on the header's line (a column name cannot hold a line break)", ErrQuote)}
	}

	// A quoted field is open at the end of the line: it may go on on the next ones.
	lines := []physLine{first}
	size := len(first.text)
	for {
		if len(lines) >= maxRecordLines || size > maxQuotedBytes {
			return nil, r.brokenQuote(start, lines, bomRemoved, "is not closed within %d lines", len(lines))
		}
		l, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, r.brokenQuote(start, lines, bomRemoved, "is never closed")
		}
		lines = append(lines, l)
		size += len(lines[len(lines)-2].eol) + len(l.text)
		if l.cut {
			return nil, r.brokenQuote(start, lines, bomRemoved, "runs into line %d, longer than %d bytes", r.line, MaxLineBytes)
		}
		p.buf.WriteByte('\n') // the line end inside the quotes, CRLF, LF or CR
		switch p.line(l.text) {
		case lineOpen:
			continue
		case lineBadQuote:
			return nil, r.brokenQuote(start, lines, bomRemoved, "closes on line %d with text after it", r.line)
		}
		if p.n != want {
			return nil, r.brokenQuote(start, lines, bomRemoved, "runs to line %d and leaves %d fields, want %d",
				r.line, p.n, want)
		}
		var raw strings.Builder
		raw.Grow(size)
		for i, l := range lines {
			if i > 0 {
				raw.WriteString(lines[i-1].eol)
			}
			raw.WriteString(l.text)
		}
		notes := r.notes(start, bomRemoved, lines...)
		for i, l := range lines[1:] {
			if wholeRecord(l.text, r.sep, want) {
				return nil, &ParseError{Line: start, Raw: raw.String(), Fields: r.naive(first.text), Notes: notes,
					Err: fmt.Errorf("%w: a quote opened on line %d closes on line %d, but line %d is a whole record by itself "+
						"(stray quotes merging records?)", ErrQuote, start, r.line, start+1+i)}
			}
		}
		return &Record{Line: start, Fields: p.fields, Raw: raw.String(), Notes: notes}, nil
	}
}

// wholeRecord reports whether a line, read by itself, is a record of want fields: the
// sign that a quoted field running into it was opened by a stray quote.
func wholeRecord(s, sep string, want int) bool {
	if blank(s) {
		return false
	}
	p := parser{sep: sep}
	return p.line(strings.TrimPrefix(s, "\uFEFF")) == lineDone && p.n == want
}

// brokenQuote reports the record starting at line start as a broken quote on that line
// alone, and gives back every line after it, to be read again as records of their own.
func (r *Reader) brokenQuote(start int, lines []physLine, bomRemoved bool, format string, args ...any) error {
	r.unread(lines[1:])
	return &ParseError{Line: start, Raw: lines[0].text, Fields: r.naive(lines[0].text), Notes: r.notes(start, bomRemoved, lines[0]),
		Err: fmt.Errorf("%w: a quote opened on this line "+format, append([]any{ErrQuote}, args...)...)}
}

// naive splits a line on the separator, ignoring quotes: for a line whose quoting is
// broken it is the split a person would make. It gives at most MaxColumns fields.
func (r *Reader) naive(s string) []string { return strings.SplitN(s, r.sep, MaxColumns) }

// Outcomes of parser.line.
const (
	lineDone     = iota // the record ends with this line
	lineOpen            // a quoted field is still open at the end of the line
	lineBadQuote        // text follows a closing quote
)

// parser splits one record, a physical line at a time, so that a record spanning lines
// is scanned once (no quadratic re-scan when a broken quote is tried on many lines).
// It keeps the first keep fields and counts them all (n), so that a line of a million
// separators costs no more memory than a normal one.
type parser struct {
	sep    string
	fields []string
	keep   int             // fields kept at most
	n      int             // fields seen
	open   bool            // inside a quoted field at the end of the previous line
	buf    strings.Builder // text so far of a quoted field that needs copying
}

// add ends a field.
func (p *parser) add(f string) {
	if p.n < p.keep {
		p.fields = append(p.fields, f)
	}
	p.n++
}

// line parses the next physical line of the record.
func (p *parser) line(s string) int {
	if p.open {
		rest, closed := p.quoted(s)
		if !closed {
			return lineOpen
		}
		p.open = false
		p.add(p.buf.String())
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
				p.add(s)
				return lineDone
			}
			p.add(s[:j])
			s = s[j+len(p.sep):]
			continue
		}
		s = s[1:]
		var rest string
		if j := strings.IndexByte(s, '"'); j >= 0 && (j+1 == len(s) || s[j+1] != '"') {
			// The common case: no doubled quote, the field is a substring of the line.
			p.add(s[:j])
			rest = s[j+1:]
		} else {
			var closed bool
			if rest, closed = p.quoted(s); !closed {
				p.open = true
				return lineOpen
			}
			p.add(p.buf.String())
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
// ends inside quotes included), into want fields. A record fed back inside another
// file (the _raw column of rejected rows) no longer has its own file around it, so its
// separator is found from its text: the one of ',', ';' and tab that splits it into
// want fields. When two do, and the rows differ ("a,b;c" is two fields either way),
// which was meant cannot be told, and SplitRaw refuses rather than guess; when none
// does, the error is that of the separator its text uses most, as for a header. For
// the same reason LF, CRLF and a bare CR all end a line in it. It returns a
// *ParseError (Line 0) when raw is still not a record of want fields, is ambiguous, or
// is two records merged by stray quotes (see Reader), so that a row fed back unchanged
// is rejected the way it was the first time.
func SplitRaw(raw string, want int) ([]string, error) {
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n"), "\n")
	most := sniffComma(lines[0])
	fields, wide, err := splitRawWith(raw, lines, string(most), want)
	for _, sep := range []rune{',', ';', '\t'} {
		if sep == most {
			continue
		}
		// A row of the right width is a reading of the text, even one the stray-quote
		// guard refuses: two different readings are ambiguous.
		other, otherWide, otherErr := splitRawWith(raw, lines, string(sep), want)
		switch {
		case !otherWide:
		case !wide:
			most, fields, wide, err = sep, other, true, otherErr
		case !slices.Equal(other, fields):
			return nil, &ParseError{Raw: raw, Fields: strings.SplitN(lines[0], string(most), MaxColumns),
				Err: fmt.Errorf("%w: %q and %q both split it into %d fields, differently", ErrAmbiguous, most, sep, want)}
		}
	}
	if err != nil {
		return nil, err
	}
	return fields, nil
}

// splitRawWith is SplitRaw with the separator sep; lines are raw's lines. wide tells
// that the fields are want, whether or not the stray-quote guard then refuses them.
func splitRawWith(raw string, lines []string, sep string, want int) (fields []string, wide bool, err error) {
	p := parser{sep: sep, keep: want + 1}
	fail := func(err error) error {
		return &ParseError{Raw: raw, Fields: strings.SplitN(lines[0], p.sep, MaxColumns), Err: err}
	}
	for i, l := range lines {
		if i > 0 {
			p.buf.WriteByte('\n')
		}
		switch p.line(l) {
		case lineOpen:
			if i == len(lines)-1 {
				return nil, false, fail(fmt.Errorf("%w: a quote is never closed", ErrQuote))
			}
			continue
		case lineBadQuote:
			return nil, false, fail(fmt.Errorf("%w: text after a closing quote", ErrQuote))
		}
		if i != len(lines)-1 {
			return nil, false, fail(fmt.Errorf("%w: text after the end of the record", ErrQuote))
		}
	}
	if p.n != want {
		return nil, false, fail(fmt.Errorf("%w: %d, want %d", ErrFieldCount, p.n, want))
	}
	for i, l := range lines[1:] {
		if wholeRecord(l, p.sep, want) {
			return p.fields, true, fail(fmt.Errorf("%w: a quote opened on its line 1 closes on its line %d, but line %d is a whole record "+
				"by itself (stray quotes merging records?)", ErrQuote, len(lines), i+2))
		}
	}
	return p.fields, true, nil
}
