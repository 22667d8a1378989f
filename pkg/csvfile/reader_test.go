package csvfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"dmt/pkg/rules"
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
		{"cr line ends", "a,b\r1,2\r3,4\r", "utf-8, ',' separated, CR", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}, []int{2, 3}},
		{"cr line ends, no final one", "a;b\r1;2\r\r3;4", "utf-8, ';' separated, CR", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}, []int{2, 4}},
		{"cr line ends, some crlf", "a,b\r1,2\r\n3,4\r", "utf-8, ',' separated, CR", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}, []int{2, 3}},
		{"cr in quotes of a cr file becomes lf", "a,b,c\r1,\"x\ry\",z\r2,w,v\r", "utf-8, ',' separated, CR", []string{"a", "b", "c"},
			[][]string{{"1", "x\ny", "z"}, {"2", "w", "v"}}, []int{2, 4}},
		{"crs in the quotes of an lf file", "a,b\n1,\"x\ry\"\n2,\"p\rq\r\"\n", lf, []string{"a", "b"}, [][]string{{"1", "x\ry"}, {"2", "p\rq\r"}}, []int{2, 3}},
		{"a lone cr in an lf file is text", "a,b\n1,x\ry\n2,z\n", lf, []string{"a", "b"}, [][]string{{"1", "x\ry"}, {"2", "z"}}, []int{2, 3}},
		{"utf-8 file with a windows-1252 line", "nom,ville\nL\xc3\xa9a,Orl\xc3\xa9ans\nL\xe9o,Besan\xe7on \x80\nZo\xc3\xab,\xe5\x8c\x97\xe4\xba\xac \xf0\x9f\x98\x80\n", lf,
			[]string{"nom", "ville"}, [][]string{{"Léa", "Orléans"}, {"Léo", "Besançon €"}, {"Zoë", "北京 😀"}}, []int{2, 3, 4}},
		{"windows-1252 file with a utf-8 line", "nom;ville\r\nL\xe9o;Besan\xe7on\r\nL\xe9a;Cr\xe9teil\r\nZo\xc3\xab;\xe5\x8c\x97\xe4\xba\xac\r\n", "windows-1252, ';' separated, CRLF",
			[]string{"nom", "ville"}, [][]string{{"Léo", "Besançon"}, {"Léa", "Créteil"}, {"Zoë", "北京"}}, []int{2, 3, 4}},
		{"bom at the start of a data line", "id,nom\n1,a\n\xef\xbb\xbf2,b\n\xef\xbb\xbf\n3,c\n", lf, []string{"id", "nom"},
			[][]string{{"1", "a"}, {"2", "b"}, {"3", "c"}}, []int{2, 3, 5}},
		{"bom then windows-1252", "id,nom\n1,a\n\xef\xbb\xbf2,\xe9t\xe9\n", "windows-1252, ',' separated, LF", []string{"id", "nom"},
			[][]string{{"1", "a"}, {"2", "été"}}, []int{2, 3}},
		{"multi-line value whose lines are no records", "a,b,c\n1,\"x, y\nz\",w\n", lf, []string{"a", "b", "c"},
			[][]string{{"1", "x, y\nz", "w"}}, []int{2}},
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
		{"mac_cr_cp1252.csv", "windows-1252, ';' separated, CR",
			[]string{"id_client", "nom", "secteur", "email", "telephone", "ville", "date_creation"},
			[][]string{{"1", "Société Martin", "Alimentaire", "contact@martin.fr", "", "Lyon", "2019-03-01"},
				{"2", "Café ; Bar", "Restauration", "cafe@bar.fr", "", "Paris", "2020-01-01"},
				{"3", "Deux\nlignes", "Conseil", "deux@lignes.fr", "", "Lille", "2021-05-04"}}, []int{2, 3, 4}, nil},
		{"utf8_one_latin1_line.csv", "utf-8, ',' separated, LF", []string{"id", "nom", "ville"},
			[][]string{{"1", "Zoë Ĉiŝ", "北京 😀"}, {"2", "Société Générale", "Besançon"}, {"3", "Café Noël", "Orléans €"}}, []int{2, 3, 4}, nil},
		{"stray_quotes.csv", "utf-8, ',' separated, LF", []string{"id_client", "nom", "secteur", "email", "telephone", "ville", "date_creation"},
			[][]string{{"3", "Gamma", "IT", "c@y.fr", "", "Nice", "2020-01-03"}}, []int{4}, []int{2}},
		{"bom_midfile.csv", "utf-8 with BOM, ',' separated, CRLF", []string{"id", "nom", "email"},
			[][]string{{"1", "A", "a@x.fr"}, {"2", "B", "b@x.fr"}, {"3", "C", "c@x.fr"}}, []int{2, 3, 4}, nil},
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
	if n := recs[20000].Notes; len(n) != 1 || n[0].Code != rules.MixedEncoding || n[0].Line != 20002 {
		t.Errorf("Read late cp1252 notes = %+v, want one MIXED_ENCODING on line 20002", n)
	}
	if n := recs[20001].Notes; n != nil {
		t.Errorf("Read late utf-8 notes = %+v, want none", n)
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
		// More commas in its values than separators: the separator is the one that
		// gives the row its width, not the one used most.
		{"12;Dupont, Jean, Marie, Paul;Lyon", 3, []string{"12", "Dupont, Jean, Marie, Paul", "Lyon"}, nil},
		// Two fields with ',' ("a" and "b;c") and with ';' ("a,b" and "c"): not guessed.
		{"a,b;c", 2, nil, ErrAmbiguous},
		{"a\tb;c,d", 2, nil, ErrAmbiguous},
		// Alike either way: no ambiguity.
		{"x", 1, []string{"x"}, nil},
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

// notesOf lists the notes of the records and parse errors read, as "line CODE".
func notesOf(recs []*Record, bad []*ParseError) []string {
	var out []string
	add := func(ns []Note) {
		for _, n := range ns {
			out = append(out, fmt.Sprintf("%d %s", n.Line, n.Code))
		}
	}
	for _, r := range recs {
		add(r.Notes)
	}
	for _, pe := range bad {
		add(pe.Notes)
	}
	slices.Sort(out)
	return out
}

// Each line decoded in the other encoding than the file's, and each BOM removed from a
// data line, is noted for the log; a wholly Windows-1252 file has no note (issue 12,
// items 2 and 5).
func TestNotes(t *testing.T) {
	cases := []struct {
		name  string
		input string
		notes []string
	}{
		{"utf-8 file, one windows-1252 line", testFile(t, "utf8_one_latin1_line.csv"), []string{"3 MIXED_ENCODING"}},
		{"windows-1252 file", testFile(t, "excel_fr_cp1252_crlf.csv"), nil},
		{"windows-1252 file, cr line ends", testFile(t, "mac_cr_cp1252.csv"), nil},
		{"windows-1252 file, one utf-8 line", "nom;ville\r\nL\xe9o;Besan\xe7on\r\nL\xe9a;Cr\xe9teil\r\nZo\xc3\xab;x\r\n", []string{"4 MIXED_ENCODING"}},
		{"bom in the middle", testFile(t, "bom_midfile.csv"), []string{"3 STRAY_BOM"}},
		{"bom on a malformed line", "a,b\n\xef\xbb\xbf1,2,3\n", []string{"2 STRAY_BOM"}},
		{"windows-1252 line inside a quoted value", "a,b,c\n1,\"d\xc3\xa9j\xc3\xa0\ncaf\xe9\",x\n", []string{"3 MIXED_ENCODING"}},
		{"plain", "a,b\n1,2\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, recs, bad := readAll(t, c.input)
			if got := notesOf(recs, bad); !reflect.DeepEqual(got, c.notes) {
				t.Errorf("notes of %q = %q, want %q", c.input, got, c.notes)
			}
		})
	}
}

// Two stray quotes must not merge two records into one (client 2 hidden in client 1's
// name): the lines are rejected together, their text kept (issue 12, item 3).
func TestStrayQuotes(t *testing.T) {
	_, recs, bad := readAll(t, testFile(t, "stray_quotes.csv"))
	if len(recs) != 1 || len(bad) != 1 {
		t.Fatalf("Read(stray_quotes.csv) = %d records, errors %v; want 1 record and 1 error", len(recs), bad)
	}
	pe := bad[0]
	wantRaw := "1,\"Acme,IT,a@y.fr,,Paris,2020-01-01\n2,Beta Corp\",IT,b@y.fr,,Lyon,2020-01-02"
	if pe.Line != 2 || pe.Raw != wantRaw || !errors.Is(pe, ErrQuote) || !strings.Contains(pe.Error(), "line 3 is a whole record by itself") {
		t.Errorf("Read(stray_quotes.csv) error = line %d %v raw %q; want line 2, ErrQuote, raw %q", pe.Line, pe.Err, pe.Raw, wantRaw)
	}
	// Fed back unchanged (the _raw column of the rejected rows), it is rejected again.
	if f, err := SplitRaw(pe.Raw, 7); !errors.Is(err, ErrQuote) {
		t.Errorf("SplitRaw(%q) = %q, %v; want ErrQuote", pe.Raw, f, err)
	}
	// Over three lines, with a whole record in the middle.
	in := "a,b,c\n1,\"x,y\n2,z,w\n3,q\",r\n4,s,t\n"
	_, recs, bad = readAll(t, in)
	if len(bad) != 1 || bad[0].Line != 2 || strings.Count(bad[0].Raw, "\n") != 2 || len(recs) != 1 || recs[0].Line != 5 {
		t.Errorf("Read(%q) = records at %v, errors %v; want one error for lines 2-4 and a record at 5", in, linesOf(recs), bad)
	}
}

// A header is one line of at most MaxColumns columns; anything else is an error, not a
// file with no rows (issue 12, item 1).
func TestBadHeaders(t *testing.T) {
	cases := []struct {
		name, input string
		err         error
	}{
		{"line break inside a column name", "id,\"nom\nclient\",email\n1,A,a@x.fr\n", ErrQuote},
		{"too many columns", "a" + strings.Repeat(",", MaxColumns) + "\n1\n", ErrTooLarge},
		{"too long", "a" + strings.Repeat("b", MaxLineBytes) + "\n1\n", ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(c.input))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, c.err) || pe.Line != 1 {
				t.Errorf("NewReader = %v, want a ParseError at line 1 wrapping %v", err, c.err)
			}
		})
	}
	in := "a" + strings.Repeat(",", MaxColumns-1) + "\n"
	if r, err := NewReader(strings.NewReader(in)); err != nil || len(r.Header()) != MaxColumns {
		t.Errorf("NewReader(%d columns) = %v", MaxColumns, err)
	}
}

// What is not CSV text is said to be what it is, in one line, instead of a misleading
// "missing required columns" (issue 12, item 18).
func TestNotText(t *testing.T) {
	utf16be := []byte{0, 'i', 0, 'd', 0, ',', 0, 'n', 0, 'o', 0, 'm', 0, '\n', 0, '1', 0, ',', 0, 'A', 0, '\n'}
	cases := []struct {
		name  string
		input string
		want  string
	}{
		{"gzip", testFile(t, "clients.csv.gz"), "gzip-compressed"},
		{"excel unicode text", testFile(t, "excel_unicode_text.txt"), "UTF-16"},
		{"utf-16 without bom", string(utf16be), "UTF-16"},
		{"xlsx", "PK\x03\x04\x14\x00\x06\x00", ".xlsx"},
		{"xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", ".xls"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(c.input))
			if !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("NewReader(%q) = %v, want ErrNotText saying %q", c.input, err, c.want)
			}
		})
	}
	// A NUL in a value is a bad value (BAD_TEXT), not a file in another format.
	if _, err := NewReader(strings.NewReader("id,nom\n1,a\x00b\n2,\x00\x00\n")); err != nil {
		t.Errorf("NewReader(NUL in values) = %v", err)
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Surplus fields are counted, not kept: a line of 100,000 trailing commas, and a file
// of rows padded to Excel's 16,384 columns, cost the memory of their text, not of a
// string per field, and the time of one scan (issue 12, item 12).
func TestSurplusFields(t *testing.T) {
	const header = "id_client,nom,secteur,email,telephone,ville,date_creation\n"
	row := "1,A,,a@x.fr,,Lyon,2020-01-01"
	in := header + row + strings.Repeat(",", 100000) + "\n2,B,,b@x.fr,,Lyon,2020-01-02\n"
	var recs []*Record
	var bad []*ParseError
	n := allocated(func() { _, recs, bad = readAll(t, in) })
	if len(recs) != 1 || len(bad) != 1 || !errors.Is(bad[0], ErrFieldCount) || !strings.Contains(bad[0].Error(), "100007, want 7") ||
		len(bad[0].Fields) > 8 || bad[0].Raw != row+strings.Repeat(",", 100000) {
		t.Fatalf("Read(100,000 commas) = %d records, errors %v", len(recs), bad)
	}
	// The line is 100 KB; a string per field would be 1.6 MB more.
	if n > 1<<20 {
		t.Errorf("Read(100,000 commas) allocated %d bytes, want under 1 MiB", n)
	}

	var b strings.Builder
	b.WriteString(header)
	for i := range 200 {
		fmt.Fprintf(&b, "%d,A,,a@x.fr,,Lyon,2020-01-01%s\n", i+1, strings.Repeat(",", MaxColumns-7))
	}
	in = b.String()
	n = allocated(func() { _, recs, bad = readAll(t, in) })
	if len(recs) != 0 || len(bad) != 200 || !strings.Contains(bad[0].Error(), "16384, want 7") {
		t.Fatalf("Read(200 rows of %d columns) = %d records, %d errors", MaxColumns, len(recs), len(bad))
	}
	if n > uint64(4*len(in)) {
		t.Errorf("Read(200 rows of %d columns, %d bytes) allocated %d bytes, want under %d", MaxColumns, len(in), n, 4*len(in))
	}
}

// A line longer than MaxLineBytes is one record too large, its text kept cut, read in
// bounded memory; the lines after it are read normally (issue 12, item 12).
func TestHugeLine(t *testing.T) {
	for _, fill := range []string{",", "é", "x\"y"} {
		huge := "1,A," + strings.Repeat(fill, 8*MaxLineBytes/len(fill))
		in := "id,nom,email\n" + huge + "\n2,B,b@x.fr\n"
		var recs []*Record
		var bad []*ParseError
		n := allocated(func() { _, recs, bad = readAll(t, in) })
		if len(bad) != 1 || len(recs) != 1 || recs[0].Line != 3 {
			t.Fatalf("Read(line of %d bytes) = records %v, errors %v", len(huge), linesOf(recs), bad)
		}
		pe := bad[0]
		if !errors.Is(pe, ErrTooLarge) || !pe.Truncated || len(pe.Raw) > MaxLineBytes || len(pe.Raw) < MaxLineBytes-4 ||
			!strings.HasPrefix(huge, pe.Raw) || !strings.Contains(pe.Error(), fmt.Sprint(len(huge))) {
			t.Errorf("Read(line of %d bytes of %q) error = %v, truncated %v, raw of %d bytes", len(huge), fill, pe, pe.Truncated, len(pe.Raw))
		}
		if n > 5*MaxLineBytes { // the line is 8*MaxLineBytes
			t.Errorf("Read(line of %d bytes of %q) allocated %d bytes, want under %d", len(huge), fill, n, 5*MaxLineBytes)
		}
	}
}

// A line too long to be held is given whole by WriteWhole from the input read again,
// decoded as the reader decodes a line (UTF-8, or Windows-1252 when it is not valid
// UTF-8; a BOM at its start removed), whatever its line ends, with RawBytes its size.
func TestHugeLineWhole(t *testing.T) {
	big := func(fill string, n int) string { return "1,A," + strings.Repeat(fill, n/len(fill)) }
	latin := big("\xe9a", 2*MaxLineBytes)
	cases := []struct{ name, line, eol, want string }{
		{"ascii", big("x", 3*MaxLineBytes), "\n", big("x", 3*MaxLineBytes)},
		{"utf-8", big("é", 3*MaxLineBytes), "\r\n", big("é", 3*MaxLineBytes)},
		{"cut rune", big("x", MaxLineBytes-5) + strings.Repeat("€", 1000), "\n", big("x", MaxLineBytes-5) + strings.Repeat("€", 1000)},
		{"windows-1252", latin, "\n", strings.ReplaceAll(latin, "\xe9", "é")},
		{"windows-1252 late", big("x", 2*MaxLineBytes) + "\x80", "\r\n", big("x", 2*MaxLineBytes) + "€"},
		{"bare CR", big("é", 2*MaxLineBytes), "\r", big("é", 2*MaxLineBytes)},
		{"BOM", "\uFEFF\uFEFF" + big("x", 2*MaxLineBytes), "\n", big("x", 2*MaxLineBytes)},
		{"one byte over", big("x", MaxLineBytes-3), "\n", big("x", MaxLineBytes-3)},
		{"last line", big("y", 2*MaxLineBytes), "", big("y", 2*MaxLineBytes)},
	}
	for _, c := range cases {
		he := c.eol
		if he == "" { // the long line ends the input
			he = "\n"
		}
		in := "\ufeffid,nom,email" + he + "0,Z,z@x.fr" + he + c.line + c.eol
		if c.eol != "" {
			in += "2,B,b@x.fr" + c.eol
		}
		_, _, bad := readAll(t, in)
		if len(bad) != 1 || !bad[0].Truncated {
			t.Errorf("%s: errors %v, want one truncated line", c.name, bad)
			continue
		}
		pe := bad[0]
		var out strings.Builder
		if err := pe.WriteWhole(&out, strings.NewReader(in)); err != nil {
			t.Errorf("%s: WriteWhole: %v", c.name, err)
			continue
		}
		if out.String() != c.want || pe.RawBytes != int64(len(c.want)) || !strings.HasPrefix(c.want, pe.Raw) {
			t.Errorf("%s: whole text of %d bytes (RawBytes %d), want %d; equal %v, raw a prefix %v",
				c.name, out.Len(), pe.RawBytes, len(c.want), out.String() == c.want, strings.HasPrefix(c.want, pe.Raw))
		}
		// Through a reader that cannot seek, and one that changed.
		out.Reset()
		if err := pe.WriteWhole(&out, io.MultiReader(strings.NewReader(in))); err != nil || out.String() != c.want {
			t.Errorf("%s: WriteWhole without Seek: %v", c.name, err)
		}
		if err := pe.WriteWhole(io.Discard, strings.NewReader(in[:len(in)/2])); err == nil {
			t.Errorf("%s: WriteWhole from a shorter input: no error", c.name)
		}
	}
}
