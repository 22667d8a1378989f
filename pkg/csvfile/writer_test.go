package csvfile

import (
	"bytes"
	"reflect"
	"testing"
)

func TestWriterRoundTrip(t *testing.T) {
	rows := [][]string{
		{"id", "texte", "autre"},
		{"1", "a,b", `il a dit "oui"`},
		{"2", "ligne\nsuivante", " espaces "},
		{"3", "Société Générale €", ""},
		{"4", "a;b", "x\r\ny"},
	}
	for _, opt := range []WriterOptions{{}, {Comma: ';', CRLF: true, BOM: true}} {
		var buf bytes.Buffer
		w := NewWriter(&buf, opt)
		for _, r := range rows {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, recs, bad := readAll(t, buf.String())
		if len(bad) > 0 || !reflect.DeepEqual(r.Header(), rows[0]) {
			t.Fatalf("%+v: header %q, errors %v", opt, r.Header(), bad)
		}
		want := [][]string{rows[1], rows[2], rows[3], {"4", "a;b", "x\ny"}}
		var got [][]string
		for _, rec := range recs {
			got = append(got, rec.Fields)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: read back %q, want %q", opt, got, want)
		}
	}
}

func TestNeutralize(t *testing.T) {
	cases := map[string]string{
		"=SUM(A1)": "'=SUM(A1)",
		"+33 6 12": "'+33 6 12",
		"-x":       "'-x",
		"@cmd":     "'@cmd",
		"\tx":      "'\tx",
		"\rx":      "'\rx",
		"-12":      "-12",
		"+3.5":     "+3.5",
		"-12,5":    "-12,5",
		"Dupont":   "Dupont",
		"":         "",
		"a=b":      "a=b",
		"=1+1":     "'=1+1",
	}
	for in, want := range cases {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, WriterOptions{})
	w.Write([]string{"=HYPERLINK(\"x\")", "-3"})
	w.Close()
	if got := buf.String(); got != "\"'=HYPERLINK(\"\"x\"\")\",-3\n" {
		t.Errorf("Write neutralised = %q", got)
	}
}
