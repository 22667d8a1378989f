package csvfile

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzWriteRead: a row the toolkit writes for people to fix and feed back (rejected
// rows, quarantine) reads back as the values it wrote, whatever they hold (separators,
// quotes, line breaks, leading formula characters, spaces), in every dialect the
// Reader reads (',', ';' or tab, LF or CRLF, with or without a BOM): the Reader finds
// the dialect from the file's header, and Unneutralize takes off what Neutralize
// added. A file has two columns or more, as every file written to be fed back has
// (a header of one name shows no separator to find). A line end inside a value reads
// back as LF, as the Reader reads every file (a CRLF is one line end). Never does a
// value read back other than written: it reads back as itself, or the row is refused.
// The same holds of the row's text split alone by SplitRaw. The values are UTF-8 text without NUL, as the
// toolkit's values are (the Reader decodes what is not UTF-8, and takes NUL for binary).
func FuzzWriteRead(f *testing.F) {
	f.Add("Lyon\x1f=SUM(A1)\x1f-12,5\x1f'quoted\x1f a \x1f", byte(0))
	f.Add("x;y\x1f\"\x1fline\nbreak\x1fcr\rlf\r\n\x1f@home", byte(1))
	f.Add("\t\x1f+\x1f-\x1f\x1f", byte(2))
	f.Add("é\x1f\uFEFFbom\x1f  ", byte(7))
	f.Add("\x1f", byte(3))
	f.Fuzz(func(t *testing.T, joined string, dialect byte) {
		if !utf8.ValidString(joined) || strings.ContainsRune(joined, 0) || strings.ContainsRune(joined, utf8.RuneError) {
			return
		}
		fields := strings.Split(joined, "\x1f")
		if len(fields) < 2 || len(fields) > 50 {
			return
		}
		opt := WriterOptions{Comma: []rune{',', ';', '\t'}[int(dialect&3)%3], CRLF: dialect&4 != 0, BOM: dialect&8 != 0}
		header := make([]string, len(fields))
		for i := range header {
			header[i] = "c" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		}
		var buf bytes.Buffer
		w := NewWriter(&buf, opt)
		w.Write(header)
		w.Write(fields)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("written %q (%+v): NewReader: %v", buf.String(), opt, err)
		}
		if !slices.Equal(r.Header(), header) {
			t.Fatalf("written %q (%+v): header read %q", buf.String(), opt, r.Header())
		}
		rec, err := r.Read()
		var pe *ParseError
		if errors.As(err, &pe) && strings.ContainsAny(joined, "\r\n") {
			// A value's line break followed by a line that is a whole record by itself
			// is what a stray quote merging two records looks like: the Reader says so
			// rather than guess (issue 12). The row is then read as malformed, loudly.
			return
		}
		if err != nil {
			t.Fatalf("written %q (%+v): Read: %v", buf.String(), opt, err)
		}
		got := make([]string, len(rec.Fields))
		for i, v := range rec.Fields {
			got[i] = Unneutralize(v)
		}
		want := make([]string, len(fields))
		for i, v := range fields {
			want[i] = strings.ReplaceAll(v, "\r\n", "\n") // a line end inside quotes reads as LF
		}
		if !slices.Equal(got, want) {
			t.Fatalf("written %q (%+v): read back %q, want %q", buf.String(), opt, got, want)
		}
		// The row's text fed back alone (the _raw column of a rejected row) splits into
		// the same values, or is refused: never split another way.
		raw := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(buf.String()[strings.Index(buf.String(), "\n")+1:], "\uFEFF"), "\n"), "\r")
		split, err := SplitRaw(raw, len(fields))
		if errors.As(err, &pe) && (errors.Is(err, ErrAmbiguous) || strings.ContainsAny(joined, "\r\n")) {
			return
		}
		if err != nil {
			t.Fatalf("SplitRaw(%q, %d): %v", raw, len(fields), err)
		}
		for i, v := range split {
			split[i] = Unneutralize(v)
			want[i] = strings.ReplaceAll(want[i], "\r", "\n") // a bare CR ends a line of a record's text too
		}
		if !slices.Equal(split, want) {
			t.Fatalf("SplitRaw(%q, %d) = %q, want %q", raw, len(fields), split, want)
		}
	})
}
