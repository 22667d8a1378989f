package csvfile

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestWriterRoundTrip(t *testing.T) {
	rows := [][]string{
		{"id", "texte", "autre"},
		{"1", "a,b", `il a dit "oui"`},
		{"2", "ligne\nsuivante", " espaces "},
		{"3", "Société Générale €, 日本", ""},
		{"4", "a;b", "x\r\ny"},
		{"5", "a\tb", `"`},
		{"6", "\"début", "fin\""},
		{"7", "", "\n"},
		{"8", "-12,5", "x\ry"},
	}
	// CRLF inside a field reads back as "\n", and that is the only change.
	want := [][]string{rows[1], rows[2], rows[3], {"4", "a;b", "x\ny"}, rows[5], rows[6], rows[7], rows[8]}
	for _, opt := range []WriterOptions{{}, {Comma: ';', CRLF: true, BOM: true}, {Comma: '\t'}, {Comma: ';', BOM: true}} {
		var buf bytes.Buffer
		w := NewWriter(&buf, opt)
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatalf("Write(%q) = %v", r, err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		r, recs, bad := readAll(t, buf.String())
		if len(bad) > 0 || !reflect.DeepEqual(r.Header(), rows[0]) {
			t.Fatalf("%+v: header %q, errors %v", opt, r.Header(), bad)
		}
		comma := opt.Comma
		if comma == 0 {
			comma = ','
		}
		wantDialect := Dialect{Comma: comma, CRLF: opt.CRLF}
		if opt.BOM {
			wantDialect.Encoding = UTF8BOM
		}
		if r.Dialect() != wantDialect {
			t.Errorf("%+v: read back dialect %v, want %v", opt, r.Dialect(), wantDialect)
		}
		if got := fieldsOf(recs); !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: read back %q, want %q", opt, got, want)
		}
	}
}

func TestWrite(t *testing.T) {
	cases := []struct {
		opt    WriterOptions
		fields [][]string
		want   string
	}{
		{WriterOptions{}, [][]string{{"a", "b"}, {"1", "2"}}, "a,b\n1,2\n"},
		{WriterOptions{CRLF: true}, [][]string{{"a", "b"}}, "a,b\r\n"},
		{WriterOptions{BOM: true}, [][]string{{"a"}, {"b"}}, "\ufeffa\nb\n"},
		{WriterOptions{BOM: true}, nil, ""},
		{WriterOptions{Comma: ';'}, [][]string{{"1,5", "a;b"}}, "1,5;\"a;b\"\n"},
		{WriterOptions{}, [][]string{{`x"y`, " a", "b ", "c\nd"}}, "\"x\"\"y\",\" a\",\"b \",\"c\nd\"\n"},
		{WriterOptions{}, [][]string{{""}, {"", ""}}, "\"\"\n,\n"},
		{WriterOptions{}, [][]string{{"=HYPERLINK(\"x\")", "-3"}}, "\"'=HYPERLINK(\"\"x\"\")\",-3\n"},
		{WriterOptions{}, [][]string{{"\tx"}}, "'\tx\n"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		w := NewWriter(&buf, c.opt)
		for _, f := range c.fields {
			if err := w.Write(f); err != nil {
				t.Fatalf("Write(%q) = %v", f, err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close() = %v", err)
		}
		if got := buf.String(); got != c.want {
			t.Errorf("Write(%+v, %q) = %q, want %q", c.opt, c.fields, got, c.want)
		}
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestWriterErrors(t *testing.T) {
	boom := errors.New("boom")
	w := NewWriter(failWriter{boom}, WriterOptions{})
	if err := w.Write([]string{"a"}); err != nil {
		t.Fatalf("Write (buffered) = %v, want nil", err)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close() = %v, want %v", err, boom)
	}
	if err := w.Write([]string{"b"}); !errors.Is(err, boom) {
		t.Errorf("Write after failure = %v, want %v", err, boom)
	}
	for _, comma := range []rune{'"', '\n', '\r', -1} {
		w := NewWriter(&bytes.Buffer{}, WriterOptions{Comma: comma})
		if err := w.Write([]string{"a"}); !errors.Is(err, errComma) {
			t.Errorf("Write with Comma %q = %v, want %v", comma, err, errComma)
		}
	}
}

func TestNeutralize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"=SUM(A1)", "'=SUM(A1)"},
		{"=1+1", "'=1+1"},
		{"+33 6 12", "'+33 6 12"},
		{"+33612345678", "+33612345678"},
		{"-x", "'-x"},
		{"-", "'-"},
		{"--12", "'--12"},
		{"-12-", "'-12-"},
		{"@cmd", "'@cmd"},
		{"@", "'@"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"-12", "-12"},
		{"+3.5", "+3.5"},
		{"-12,5", "-12,5"},
		{"-.5", "-.5"},
		{"-1e5", "-1e5"},
		{"+1E-3", "+1E-3"},
		{"-1e", "'-1e"},
		{"-12.", "'-12."},
		{"-1,234.5", "'-1,234.5"},
		{"1e5", "1e5"},
		{"Dupont", "Dupont"},
		{"", ""},
		{"a=b", "a=b"},
		{" =x", " =x"},
	}
	for _, c := range cases {
		if got := Neutralize(c.in); got != c.want {
			t.Errorf("Neutralize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestNeutralizeRoundTrip: reading back what the writer wrote (Unneutralize) gives every
// value as it was, whatever it starts with.
func TestNeutralizeRoundTrip(t *testing.T) {
	values := []string{"", "x", "'", "''", "'x", "''x", "=1+1", "'=1+1", "+33 6 12 34 56 78", "'+33 6 12 34 56 78",
		"-", "-12", "'-12", "-x", "@", "@home", "\tx", "\rx", "'\tx", " =x", "a'b", "12", "-1e5", "=", "+", "'@"}
	for _, v := range values {
		if got := Unneutralize(Neutralize(v)); got != v {
			t.Errorf("Unneutralize(Neutralize(%q)) = %q", v, got)
		}
	}
	var b bytes.Buffer
	w := NewWriter(&b, WriterOptions{})
	w.Write(make([]string, len(values)))
	w.Write(values)
	w.Close()
	r, err := NewReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range rec.Fields {
		if got := Unneutralize(f); got != values[i] {
			t.Errorf("written and read back: %q, want %q", got, values[i])
		}
	}
}
