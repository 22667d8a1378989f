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
)

// FuzzReader checks that no input makes the reader panic, loop, or return a record of
// the wrong width or text that is not UTF-8, and that line numbers only go forward.
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
			last = rec.Line + strings.Count(rec.Raw, "\n")
		}
	})
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
