package csvfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"dmt/pkg/rules"
)

// FuzzReader checks that no input makes the reader panic, loop, or return a record of
// the wrong width or text that is not UTF-8 (or an error holding more than its bounds),
// that line numbers only go forward, and that notes are about the record's own lines.
func FuzzReader(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("testdata", e.Name())); err == nil && !e.IsDir() {
			f.Add(b)
		}
	}
	f.Add([]byte("a,b\n\"1,2\n3,4\n"))
	f.Add([]byte("a;b\r\n\"\"\"\";\"\r\n\""))
	f.Add([]byte("a\tb\n\"x\"\t\"y\"\n\"\n\n\"\tz\n"))
	f.Add([]byte("\xef\xbb\xbfa,b\r\n1,\"x\r\ny\"\r\n2,caf\xe9\r"))
	// Issue 12: bare CR line ends, mixed encodings, a BOM in the middle, stray quotes
	// merging records, huge field counts, what is no CSV text.
	f.Add([]byte("a;b\r1;caf\xe9\r2;\"x\ry\";z\r\n3;4"))
	f.Add([]byte("a,b\n1,Zo\xc3\xab \xe5\x8c\x97\n2,Soci\xe9t\xe9\n3,\"d\xc3\xa9j\xc3\xa0\ncaf\xe9\"\n"))
	f.Add([]byte("a,b\r\n1,2\r\n\xef\xbb\xbf3,4\r\n\xef\xbb\xbf\r\n\xef\xbb\xbf5,\xe9\r\n"))
	f.Add([]byte("a,b,c\n1,\"x,y\n2,z\",w\n3,q,r\n"))
	f.Add([]byte("a,b\n1,2" + strings.Repeat(",", 3000) + "\n3,4\n")) // larger inputs make minimizing too slow
	f.Add([]byte("\xff\xfea\x00,\x00b\x00\n\x00"))
	f.Add([]byte("a\x00,\x00b\x00\n\x001\x00,\x002\x00\n\x00"))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			return
		}
		last := 0
		for n := 0; ; n++ {
			if n > len(data)+10 {
				t.Fatalf("more reads than bytes: the reader loops")
			}
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			var pe *ParseError
			if errors.As(err, &pe) {
				if pe.Line <= last {
					t.Fatalf("parse error at line %d after line %d", pe.Line, last)
				}
				if !utf8.ValidString(pe.Raw) {
					t.Fatalf("parse error at line %d: Raw %q is not UTF-8", pe.Line, pe.Raw)
				}
				if len(pe.Raw) > 3*MaxLineBytes || len(pe.Fields) > max(len(r.Header())+1, MaxColumns) {
					t.Fatalf("parse error at line %d holds %d bytes, %d fields", pe.Line, len(pe.Raw), len(pe.Fields))
				}
				checkNotes(t, pe.Line, pe.Raw, pe.Notes)
				last = pe.Line
				continue
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !utf8.ValidString(rec.Raw) {
				t.Fatalf("record at line %d: Raw %q is not UTF-8", rec.Line, rec.Raw)
			}
			if len(rec.Fields) != len(r.Header()) {
				t.Fatalf("record at line %d has %d fields, header %d", rec.Line, len(rec.Fields), len(r.Header()))
			}
			if rec.Line <= last {
				t.Fatalf("record at line %d after line %d", rec.Line, last)
			}
			if strings.HasPrefix(rec.Raw, "\uFEFF") {
				t.Fatalf("record at line %d starts with a BOM: %q", rec.Line, rec.Raw)
			}
			checkNotes(t, rec.Line, rec.Raw, rec.Notes)
			last = rec.Line + strings.Count(rec.Raw, "\n")
		}
	})
}

// checkNotes fails unless every note of the record at line, with text raw, is about
// one of its lines, with a known code.
func checkNotes(t *testing.T, line int, raw string, notes []Note) {
	t.Helper()
	end := line + strings.Count(raw, "\n") + strings.Count(raw, "\r") // a bound: CRLF counts twice
	for _, n := range notes {
		if n.Line < line || n.Line > end || n.Code != rules.MixedEncoding && n.Code != rules.StrayBOM || n.Detail == "" {
			t.Fatalf("record at line %d: note %+v", line, n)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("id_affectation,id_projet,id_intervenant,role,site,date_debut,date_fin,jours\n")
	for i := range 100000 {
		buf.WriteString(strings.Repeat("x", i%3))
		buf.WriteString("12345,2345,123,consultant,\"Lyon\",2023-01-10,2023-02-28,12.5\n")
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			}
		}
	}
}
