package csvfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll reads every record and parse error of input.
func readAll(tb testing.TB, input string) (*Reader, []*Record, []*ParseError) {
	tb.Helper()
	r, err := NewReader(strings.NewReader(input))
	if err != nil {
		tb.Fatalf("NewReader(%q) = %v", input, err)
	}
	var recs []*Record
	var bad []*ParseError
	for n := 0; n <= len(input)+10; n++ {
		rec, err := r.Read()
		if err == io.EOF {
			return r, recs, bad
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			bad = append(bad, pe)
			continue
		}
		if err != nil {
			tb.Fatalf("Read(%q) = %v", input, err)
		}
		recs = append(recs, rec)
	}
	tb.Fatalf("Read(%q) never returns io.EOF", input)
	return nil, nil, nil
}

// testFile returns the content of testdata/name.
func testFile(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func fieldsOf(recs []*Record) [][]string {
	var rows [][]string
	for _, rec := range recs {
		rows = append(rows, rec.Fields)
	}
	return rows
}

func linesOf(recs []*Record) []int {
	var lines []int
	for _, rec := range recs {
		lines = append(lines, rec.Line)
	}
	return lines
}

func TestRead(t *testing.T) {
	const lf = "utf-8, ',' separated, LF"
	cases := []struct {
		name    string
		input   string
		dialect string
		header  []string
		rows    [][]string
		lines   []int
	}{
		{"comma lf", "a,b\n1,2\n3,4\n", lf, []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}, []int{2, 3}},
		{"semicolon crlf", "a;b\r\n1,5;2\r\n", "utf-8, ';' separated, CRLF", []string{"a", "b"}, [][]string{{"1,5", "2"}}, []int{2}},
		{"tab", "a\tb\n1\t2\n", "utf-8, tab separated, LF", []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"tab with quoted fields", "a\tb\n\"x\"\t\"y\"\n", "utf-8, tab separated, LF", []string{"a", "b"}, [][]string{{"x", "y"}}, []int{2}},
		{"tie goes to comma", "a,b;c\n1,2;3\n", lf, []string{"a", "b;c"}, [][]string{{"1", "2;3"}}, []int{2}},
		{"separator in quoted header ignored", "\"a,x\";b\n1;2\n", "utf-8, ';' separated, LF", []string{"a,x", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"single column", "nom\nDupont\nMartin\n", lf, []string{"nom"}, [][]string{{"Dupont"}, {"Martin"}}, []int{2, 3}},
		{"no final newline", "a,b\n1,2", lf, []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"cut after final CR", "a,b\r\n1,2\r", "utf-8, ',' separated, CRLF", []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"mixed line ends", "a,b\r\n1,2\n3,4\r\n", "utf-8, ',' separated, CRLF", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}, []int{2, 3}},
		{"header trimmed", " a , b \n 1 , 2 \n", lf, []string{"a", "b"}, [][]string{{" 1 ", " 2 "}}, []int{2}},
		{"empty fields", "a,b,c\n,,\n", lf, []string{"a", "b", "c"}, [][]string{{"", "", ""}}, []int{2}},
		{"quoted separator", "a,b\n\"x,y\",z\n", lf, []string{"a", "b"}, [][]string{{"x,y", "z"}}, []int{2}},
		{"doubled quotes", "a,b\n\"il a dit \"\"oui\"\"\",\"\"\"\"\n", lf, []string{"a", "b"}, [][]string{{`il a dit "oui"`, `"`}}, []int{2}},
		{"empty quoted field", "a,b\n\"\",\"\"\n", lf, []string{"a", "b"}, [][]string{{"", ""}}, []int{2}},
		{"spaces after closing quote", "a,b\n\"x\"  ,y\n", lf, []string{"a", "b"}, [][]string{{"x", "y"}}, []int{2}},
		{"newline in quotes", "a,b,c\n1,\"line one\nline two\",x\n2,y,z\n", lf, []string{"a", "b", "c"},
			[][]string{{"1", "line one\nline two", "x"}, {"2", "y", "z"}}, []int{2, 4}},
		{"crlf in quotes becomes lf", "a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n", "utf-8, ',' separated, CRLF", []string{"a", "b"},
			[][]string{{"1", "x\ny"}, {"2", "z"}}, []int{2, 4}},
		{"lone cr in quotes kept", "a,b\n1,\"x\ry\"\n", lf, []string{"a", "b"}, [][]string{{"1", "x\ry"}}, []int{2}},
		{"blank line in quotes kept", "a,b\n1,\"x\n\ny\"\n", lf, []string{"a", "b"}, [][]string{{"1", "x\n\ny"}}, []int{2}},
		{"three-line field", "a,b\n1,\"12 rue X\nBP 4\n69000 Lyon\"\n2,z\n", lf, []string{"a", "b"},
			[][]string{{"1", "12 rue X\nBP 4\n69000 Lyon"}, {"2", "z"}}, []int{2, 5}},
		{"blank lines skipped but counted", "\na,b\n\n1,2\n  \n\r\n3,4\n\n", lf, []string{"a", "b"},
			[][]string{{"1", "2"}, {"3", "4"}}, []int{4, 7}},
		{"lenient inner quote", "a,b\n1,ab\"c\n", lf, []string{"a", "b"}, [][]string{{"1", `ab"c`}}, []int{2}},
		{"utf-8", "nom,ville\nLéa,Besançon €\n", lf, []string{"nom", "ville"}, [][]string{{"Léa", "Besançon €"}}, []int{2}},
		{"utf-8 bom", "\xef\xbb\xbfnom;ville\r\nLéa;Orléans\r\n", "utf-8 with BOM, ';' separated, CRLF", []string{"nom", "ville"},
			[][]string{{"Léa", "Orléans"}}, []int{2}},
		{"bom tab", "\xef\xbb\xbfa\tb\r\n1\t2\r\n", "utf-8 with BOM, tab separated, CRLF", []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"windows-1252", "nom;prix\r\nSoci\xe9t\xe9;10 \x80\r\n\x8cuvre;\x93x\x94\r\n", "windows-1252, ';' separated, CRLF", []string{"nom", "prix"},
			[][]string{{"Société", "10 €"}, {"Œuvre", "“x”"}}, []int{2, 3}},
		{"windows-1252 header", "pr\xe9nom,nom\nL\xe9a,Dupont\n", "windows-1252, ',' separated, LF", []string{"prénom", "nom"},
			[][]string{{"Léa", "Dupont"}}, []int{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, recs, bad := readAll(t, c.input)
			if got := r.Dialect().String(); got != c.dialect {
				t.Errorf("Dialect(%q) = %q, want %q", c.input, got, c.dialect)
			}
			if !reflect.DeepEqual(r.Header(), c.header) {
				t.Errorf("Header(%q) = %q, want %q", c.input, r.Header(), c.header)
			}
			if len(bad) > 0 {
				t.Errorf("Read(%q): unexpected parse errors %v", c.input, bad)
			}
			if rows := fieldsOf(recs); !reflect.DeepEqual(rows, c.rows) {
				t.Errorf("Read(%q) = %q, want %q", c.input, rows, c.rows)
			}
			if lines := linesOf(recs); !reflect.DeepEqual(lines, c.lines) {
				t.Errorf("Read(%q) lines = %v, want %v", c.input, lines, c.lines)
			}
		})
	}
}

func TestTestdata(t *testing.T) {
	cases := []struct {
		file    string
		dialect string
		header  []string
		rows    [][]string
		lines   []int
		bad     []int // lines of the parse errors
	}{
		{"excel_fr_cp1252_crlf.csv", "windows-1252, ';' separated, CRLF", []string{"id_client", "nom", "ville"},
			[][]string{{"1", "Société Générale", "Lyon"}, {"2", "Café ; Bar", "Paris"}, {"3", "Prix 10 €", "Lille"}}, []int{2, 3, 4}, nil},
		{"bom_utf8.csv", "utf-8 with BOM, ',' separated, LF", []string{"id", "Nom", "E-mail"},
			[][]string{{"1", "Dupont", "a@b.fr"}, {"2", "Martin, Léa", "c@d.fr"}}, []int{2, 3}, nil},
		{"multiline_quotes.csv", "utf-8, ',' separated, LF", []string{"id", "note", "ville"},
			[][]string{{"1", "ligne un\nligne deux", "Lyon"}, {"2", `il a dit "oui"`, "Paris"}, {"3", "simple", "Nantes"}}, []int{2, 4, 6}, nil},
		{"wrong_count.csv", "utf-8, ',' separated, LF", []string{"id", "nom", "email"},
			[][]string{{"1", "A", "a@x.fr"}, {"4", "D", "d@x.fr"}}, []int{2, 5}, []int{3, 4}},
		{"broken_quote.csv", "utf-8, ',' separated, LF", []string{"id", "nom", "email"},
			[][]string{{"1", "A", "a@x.fr"}, {"2", "B", "b@x.fr"}, {"3", "C", "c@x.fr"}, {"4", "D", "d@x.fr"},
				{"6", "F", "f@x.fr"}, {"7", "G", "g@x.fr"}, {"8", "H", "h@x.fr"}, {"9", "I", "i@x.fr"}, {"10", "J", "j@x.fr"}},
			[]int{2, 3, 4, 5, 7, 8, 9, 10, 11}, []int{6}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			r, recs, bad := readAll(t, testFile(t, c.file))
			if got := r.Dialect().String(); got != c.dialect {
				t.Errorf("Dialect(%s) = %q, want %q", c.file, got, c.dialect)
			}
			if !reflect.DeepEqual(r.Header(), c.header) {
				t.Errorf("Header(%s) = %q, want %q", c.file, r.Header(), c.header)
			}
			if rows := fieldsOf(recs); !reflect.DeepEqual(rows, c.rows) {
				t.Errorf("Read(%s) = %q, want %q", c.file, rows, c.rows)
			}
			if lines := linesOf(recs); !reflect.DeepEqual(lines, c.lines) {
				t.Errorf("Read(%s) lines = %v, want %v", c.file, lines, c.lines)
			}
			var badLines []int
			for _, pe := range bad {
				badLines = append(badLines, pe.Line)
			}
			if !reflect.DeepEqual(badLines, c.bad) {
				t.Errorf("Read(%s) parse errors = %v, want at lines %v", c.file, bad, c.bad)
			}
		})
	}
}

// The cp1252 test file must hold real Windows-1252 bytes, not UTF-8 re-saved by an
// editor, or the decoding test above proves nothing.
func TestCP1252FileBytes(t *testing.T) {
	b := []byte(testFile(t, "excel_fr_cp1252_crlf.csv"))
	if !bytes.Contains(b, []byte{'S', 'o', 'c', 'i', 0xE9}) || !bytes.Contains(b, []byte{'1', '0', ' ', 0x80}) {
		t.Errorf("testdata/excel_fr_cp1252_crlf.csv lost its Windows-1252 bytes: %q", b)
	}
}

func TestRaw(t *testing.T) {
	cases := []struct {
		input string
		raw   []string
	}{
		{"a,b\n1,2\n", []string{"1,2"}},
		{"a,b\r\n1,2\r\n", []string{"1,2"}},
		{"a,b\n 1 , \"x\" \n", []string{` 1 , "x" `}},
		{"a,b\n1,\"x\ny\"\n", []string{"1,\"x\ny\""}},
		{"a,b\r\n1,\"x\r\ny\"\r\n2,\"\"\"\"\r\n", []string{"1,\"x\r\ny\"", `2,""""`}},
		{"a;b\r\nL\xe9a;\x80\r\n", []string{"Léa;€"}},
	}
	for _, c := range cases {
		_, recs, _ := readAll(t, c.input)
		var raw []string
		for _, rec := range recs {
			raw = append(raw, rec.Raw)
		}
		if !reflect.DeepEqual(raw, c.raw) {
			t.Errorf("Read(%q) Raw = %q, want %q", c.input, raw, c.raw)
		}
	}
}

func TestParseErrors(t *testing.T) {
	type bad struct {
		line   int
		err    error
		raw    string
		fields []string
	}
	cases := []struct {
		name  string
		input string
		lines []int // good records
		bad   []bad
	}{
		{"too few fields", "a,b,c\n1,2,3\n4,5\n6,7,8\n", []int{2, 4},
			[]bad{{3, ErrFieldCount, "4,5", []string{"4", "5"}}}},
		{"too many fields", "a,b\n1,2\n3,4,5\n6,7\n", []int{2, 4},
			[]bad{{3, ErrFieldCount, "3,4,5", []string{"3", "4", "5"}}}},
		{"text after closing quote", "a,b\n1,\"x\"y\n2,z\n", []int{3},
			[]bad{{2, ErrQuote, `1,"x"y`, []string{"1", `"x"y`}}}},
		{"unclosed quote on last line", "a,b\n1,2\n3,\"x\n", []int{2},
			[]bad{{3, ErrQuote, `3,"x`, []string{"3", `"x`}}}},
		{"unclosed quote in the middle", "id,nom,email,ville\n1,A,a@x.fr,Paris\n2,B,b@x.fr,Paris\n3,C,c@x.fr,Paris\n" +
			"5,\"Dupont,x@y.fr,Lyon\n6,F,f@x.fr,Paris\n7,G,g@x.fr,Paris\n8,H,h@x.fr,Paris\n9,I,i@x.fr,Paris\n10,J,j@x.fr,Paris\n",
			[]int{2, 3, 4, 6, 7, 8, 9, 10},
			[]bad{{5, ErrQuote, `5,"Dupont,x@y.fr,Lyon`, []string{"5", `"Dupont`, "x@y.fr", "Lyon"}}}},
		{"unclosed quote closed by a later quoted field", "a,b,c\n1,\"x,y\n2,z,w\n3,\"q\",r\n4,s,t\n", []int{3, 4, 5},
			[]bad{{2, ErrQuote, `1,"x,y`, []string{"1", `"x`, "y"}}}},
		{"multi-line field leaving a wrong count", "a,b\n1,\"x\ny\",z\n2,w\n", []int{3, 4},
			[]bad{{2, ErrQuote, `1,"x`, []string{"1", `"x`}}}},
		{"unclosed quote beyond the line limit", "a,b\n1,\"x\n" + strings.Repeat("y\n", maxRecordLines+5) + "2,z\n",
			[]int{maxRecordLines + 8}, nil}, // line 2 is a broken quote, each "y" a wrong count
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, recs, errs := readAll(t, c.input)
			if lines := linesOf(recs); !reflect.DeepEqual(lines, c.lines) {
				t.Errorf("Read(%q) good lines = %v, want %v", c.input, lines, c.lines)
			}
			if c.bad == nil {
				return
			}
			if len(errs) != len(c.bad) {
				t.Fatalf("Read(%q) errors = %v, want %d", c.input, errs, len(c.bad))
			}
			for i, want := range c.bad {
				got := errs[i]
				if got.Line != want.line || !errors.Is(got, want.err) || got.Raw != want.raw || !reflect.DeepEqual(got.Fields, want.fields) {
					t.Errorf("Read(%q) error %d = line %d %v raw %q fields %q, want line %d %v raw %q fields %q",
						c.input, i, got.Line, got.Err, got.Raw, got.Fields, want.line, want.err, want.raw, want.fields)
				}
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, _, errs := readAll(t, "a,b,c,d,e,f,g,h\n1,2,3,4,5\n")
	if len(errs) != 1 {
		t.Fatalf("Read = %v, want 1 error", errs)
	}
	if got, want := errs[0].Error(), "line 2: wrong number of fields: 5, want 8"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", "\n\n", "\xef\xbb\xbf", "\xef\xbb\xbf\r\n", "  \r\n\t\n"} {
		if _, err := NewReader(strings.NewReader(in)); !errors.Is(err, ErrEmpty) {
			t.Errorf("NewReader(%q) = %v, want ErrEmpty", in, err)
		}
	}
	for _, in := range []string{"a,b\n", "a,b", "a;b\r\n\r\n", "\xef\xbb\xbfa,b\r\n"} {
		r, err := NewReader(strings.NewReader(in))
		if err != nil {
			t.Fatalf("NewReader(%q) = %v", in, err)
		}
		for i := 0; i < 2; i++ {
			if rec, err := r.Read(); err != io.EOF {
				t.Errorf("Read(%q) = %v, %v, want io.EOF", in, rec, err)
			}
		}
	}
}

func TestBrokenHeader(t *testing.T) {
	_, err := NewReader(strings.NewReader("a,\"b\nc,d\n"))
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrQuote) || pe.Line != 1 {
		t.Errorf("NewReader(broken header) = %v, want a ParseError at line 1 wrapping ErrQuote", err)
	}
}

// A file sniffed as UTF-8 (plain ASCII first 64 KiB) whose accents come later is read
// as the Windows-1252 file it most likely is, not rejected row by row.
func TestLateWindows1252(t *testing.T) {
	input := "a,b\n" + strings.Repeat("1,ok\n", 20000) + "2,caf\xe9 \x80\n3,d\xc3\xa9j\xc3\xa0\n"
	r, recs, bad := readAll(t, input)
	if r.Dialect().Encoding != UTF8 || len(bad) != 0 || len(recs) != 20002 {
		t.Fatalf("Read: dialect %v, %d records, errors %v", r.Dialect(), len(recs), bad)
	}
	if got := recs[20000].Fields[1]; got != "café €" {
		t.Errorf("Read late cp1252 = %q, want %q", got, "café €")
	}
	if got := recs[20001].Fields[1]; got != "déjà" {
		t.Errorf("Read late utf-8 = %q, want %q", got, "déjà")
	}
}

// A rune cut by the end of the sniff window must not make a UTF-8 file Windows-1252.
func TestSniffCutRune(t *testing.T) {
	for pad := 0; pad < 4; pad++ {
		var b strings.Builder
		b.WriteString("a,b\n")
		b.WriteString(strings.Repeat("x", pad))
		for b.Len() < sniffSize+10 {
			b.WriteString("1,é€\n")
		}
		r, err := NewReader(strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if r.Dialect().Encoding != UTF8 {
			t.Errorf("NewReader(pad %d) encoding = %v, want utf-8", pad, r.Dialect().Encoding)
		}
	}
}

func TestIOError(t *testing.T) {
	boom := errors.New("boom")
	input := "a,b\n" + strings.Repeat("1,2\n", sniffSize/4)
	r, err := NewReader(io.MultiReader(strings.NewReader(input), iotest.ErrReader(boom)))
	if err != nil {
		t.Fatalf("NewReader = %v", err)
	}
	for i := 0; i < sniffSize/4; i++ {
		if _, err := r.Read(); err != nil {
			t.Fatalf("Read = %v", err)
		}
	}
	if _, err := r.Read(); !errors.Is(err, boom) {
		t.Errorf("Read after I/O error = %v, want %v", err, boom)
	}
	if _, err := NewReader(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("NewReader(failing) = %v, want %v", err, boom)
	}
}

// Reading must not hold the whole input: it reads through a reader that yields one
// byte at a time, so the sniff and the lines are assembled across reads.
func TestOneByteReader(t *testing.T) {
	input := testFile(t, "multiline_quotes.csv")
	r, err := NewReader(iotest.OneByteReader(strings.NewReader(input)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Read = %v", err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("Read(one byte at a time) = %d records, want 3", n)
	}
}

func TestSplitRaw(t *testing.T) {
	cases := []struct {
		raw  string
		want int
		out  []string
		err  error
	}{
		{"1,a,b", 3, []string{"1", "a", "b"}, nil},
		{"1;a, b;c", 3, []string{"1", "a, b", "c"}, nil},
		{`1,"a ""q"", b",c`, 3, []string{"1", `a "q", b`, "c"}, nil},
		{"1,\"two\r\nlines\",c", 3, []string{"1", "two\nlines", "c"}, nil},
		{"1115,479,Déploiement réseau 2016,deploiement,termine,2016-10-05,2017-01-16,239322.37,2", 10, nil, ErrFieldCount},
		{`5,"Dupont,x@y.fr,Lyon`, 4, nil, ErrQuote},
		{`5,"Dupont"x,Lyon`, 3, nil, ErrQuote},
		{"1,a\n2,b", 2, nil, ErrQuote},
		{"", 2, nil, ErrFieldCount},
	}
	for _, c := range cases {
		got, err := SplitRaw(c.raw, c.want)
		var pe *ParseError
		if c.err != nil {
			if !errors.As(err, &pe) || !errors.Is(err, c.err) || pe.Raw != c.raw {
				t.Errorf("SplitRaw(%q, %d) = %q, %v; want a *ParseError wrapping %v", c.raw, c.want, got, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.out) {
			t.Errorf("SplitRaw(%q, %d) = %q, %v; want %q", c.raw, c.want, got, err, c.out)
		}
	}
}
