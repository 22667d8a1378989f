package csvfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readAll reads every record and parse error of input.
func readAll(tb testing.TB, input string) (*Reader, []*Record, []*ParseError) {
	tb.Helper()
	r, err := NewReader(strings.NewReader(input))
	if err != nil {
		tb.Fatalf("NewReader: %v", err)
	}
	var recs []*Record
	var bad []*ParseError
	for {
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
			tb.Fatalf("Read: %v", err)
		}
		recs = append(recs, rec)
	}
}

func mustFile(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestReadDialects(t *testing.T) {
	cases := []struct {
		name    string
		input   string
		dialect string
		header  []string
		rows    [][]string
		lines   []int
	}{
		{"comma lf", "a,b\n1,2\n3,4\n", "utf-8, ',' separated, LF", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}, []int{2, 3}},
		{"semicolon crlf", "a;b\r\n1,5;2\r\n", "utf-8, ';' separated, CRLF", []string{"a", "b"}, [][]string{{"1,5", "2"}}, []int{2}},
		{"tab", "a\tb\n1\t2\n", "utf-8, tab separated, LF", []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"no final newline", "a,b\n1,2", "utf-8, ',' separated, LF", []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"header spaces", " a , b \n1,2\n", "utf-8, ',' separated, LF", []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"quoted header with comma in semicolon file", "\"a,x\";b\n1;2\n", "utf-8, ';' separated, LF", []string{"a,x", "b"}, [][]string{{"1", "2"}}, []int{2}},
		{"empty fields", "a,b,c\n,,\n", "utf-8, ',' separated, LF", []string{"a", "b", "c"}, [][]string{{"", "", ""}}, []int{2}},
		{"blank lines skipped but counted", "\na,b\n\n1,2\n  \n3,4\n", "utf-8, ',' separated, LF", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}, []int{4, 6}},
		{"cp1252", mustFile(t, "excel_fr_cp1252_crlf.csv"), "windows-1252, ';' separated, CRLF", []string{"id_client", "nom", "ville"},
			[][]string{{"1", "Société Générale", "Lyon"}, {"2", "Café ; Bar", "Paris"}, {"3", "Prix 10 €", "Lille"}}, []int{2, 3, 4}},
		{"bom", mustFile(t, "bom_utf8.csv"), "utf-8 with BOM, ',' separated, LF", []string{"id", "Nom", "E-mail"},
			[][]string{{"1", "Dupont", "a@b.fr"}, {"2", "Martin, Léa", "c@d.fr"}}, []int{2, 3}},
		{"multiline", mustFile(t, "multiline_quotes.csv"), "utf-8, ',' separated, LF", []string{"id", "note", "ville"},
			[][]string{{"1", "ligne un\nligne deux", "Lyon"}, {"2", `il a dit "oui"`, "Paris"}, {"3", "simple", "Nantes"}}, []int{2, 4, 6}},
		{"crlf inside quotes", "a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n", "utf-8, ',' separated, CRLF", []string{"a", "b"}, [][]string{{"1", "x\ny"}, {"2", "z"}}, []int{2, 4}},
		{"lenient inner quote", "a,b\n1,ab\"c\n", "utf-8, ',' separated, LF", []string{"a", "b"}, [][]string{{"1", `ab"c`}}, []int{2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, recs, bad := readAll(t, c.input)
			if got := r.Dialect().String(); got != c.dialect {
				t.Errorf("Dialect() = %q, want %q", got, c.dialect)
			}
			if !reflect.DeepEqual(r.Header(), c.header) {
				t.Errorf("Header() = %q, want %q", r.Header(), c.header)
			}
			if len(bad) > 0 {
				t.Errorf("unexpected parse errors: %v", bad)
			}
			var rows [][]string
			var lines []int
			for _, rec := range recs {
				rows, lines = append(rows, rec.Fields), append(lines, rec.Line)
			}
			if !reflect.DeepEqual(rows, c.rows) || !reflect.DeepEqual(lines, c.lines) {
				t.Errorf("Read = %q at lines %v, want %q at %v", rows, lines, c.rows, c.lines)
			}
		})
	}
}

func TestRawText(t *testing.T) {
	_, recs, _ := readAll(t, "a,b\r\n1,\"x\ny\"\r\n")
	if len(recs) != 1 || recs[0].Raw != "1,\"x\ny\"" {
		t.Fatalf("Raw = %v", recs)
	}
}

func TestMalformedLinesDoNotStopTheFile(t *testing.T) {
	t.Run("field count", func(t *testing.T) {
		_, recs, bad := readAll(t, mustFile(t, "wrong_count.csv"))
		if len(recs) != 2 || recs[0].Line != 2 || recs[1].Line != 5 {
			t.Errorf("good records = %v, want lines 2 and 5", recs)
		}
		if len(bad) != 2 || bad[0].Line != 3 || bad[1].Line != 4 || !errors.Is(bad[0], ErrFieldCount) || bad[0].Raw != "2,B" {
			t.Fatalf("parse errors = %v, want field count at lines 3 and 4", bad)
		}
		if !reflect.DeepEqual(bad[1].Fields, []string{"3", "C", "c@x.fr", "extra"}) {
			t.Errorf("Fields of the bad record = %q", bad[1].Fields)
		}
	})
	t.Run("unclosed quote", func(t *testing.T) {
		_, recs, bad := readAll(t, mustFile(t, "broken_quote.csv"))
		var lines []int
		for _, r := range recs {
			lines = append(lines, r.Line)
		}
		if want := []int{2, 3, 4, 5, 7, 8, 9, 10, 11}; !reflect.DeepEqual(lines, want) {
			t.Errorf("good lines = %v, want %v", lines, want)
		}
		if len(bad) != 1 || bad[0].Line != 6 || !errors.Is(bad[0], ErrQuote) || bad[0].Raw != `5,"Dupont,x@y.fr` {
			t.Fatalf("parse errors = %v, want one broken quote at line 6", bad)
		}
	})
	t.Run("text after closing quote", func(t *testing.T) {
		_, recs, bad := readAll(t, "a,b\n1,\"x\"y\n2,z\n")
		if len(recs) != 1 || len(bad) != 1 || bad[0].Line != 2 || !errors.Is(bad[0], ErrQuote) {
			t.Fatalf("records %v, errors %v", recs, bad)
		}
	})
	t.Run("invalid utf-8 after the sniffed start", func(t *testing.T) {
		input := "a,b\n" + strings.Repeat("1,ok\n", 20000) + "2,caf\xe9\n3,ok\n"
		_, recs, bad := readAll(t, input)
		if len(recs) != 20001 || len(bad) != 1 || !errors.Is(bad[0], ErrEncoding) || bad[0].Line != 20002 {
			t.Fatalf("%d records, errors %v", len(recs), bad)
		}
	})
}

func TestEmpty(t *testing.T) {
	for _, in := range []string{"", "\n\n", "\xef\xbb\xbf", "  \r\n"} {
		if _, err := NewReader(strings.NewReader(in)); !errors.Is(err, ErrEmpty) {
			t.Errorf("NewReader(%q) = %v, want ErrEmpty", in, err)
		}
	}
	r, err := NewReader(strings.NewReader("a,b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("Read on a header-only file = %v, want io.EOF", err)
	}
}

func TestMapHeader(t *testing.T) {
	wanted := []string{"id_client", "email", "date_debut", "nom"}
	m, err := MapHeader([]string{" E-Mail ", "Id Client", "Date Début", "remarque", "NOM", "nom"}, wanted, []string{"id_client", "email"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 0, 2, 4}; !reflect.DeepEqual(m.Index, want) {
		t.Errorf("Index = %v, want %v", m.Index, want)
	}
	if !reflect.DeepEqual(m.Unknown, []string{"remarque"}) || !reflect.DeepEqual(m.Extra, []string{"nom"}) {
		t.Errorf("Unknown = %q, Extra = %q", m.Unknown, m.Extra)
	}
	for _, h := range []string{"Email", " e-mail ", "E_MAIL", "É-mail"} {
		m, err := MapHeader([]string{h}, []string{"email"}, []string{"email"})
		if err != nil || m.Index[0] != 0 {
			t.Errorf("MapHeader(%q) = %v, %v", h, m, err)
		}
	}
	_, err = MapHeader([]string{"nom"}, wanted, []string{"id_client", "email"})
	var mc *MissingColumnError
	if !errors.As(err, &mc) || err.Error() != "missing required columns: id_client, email" {
		t.Errorf("MapHeader without required columns = %v", err)
	}
}
