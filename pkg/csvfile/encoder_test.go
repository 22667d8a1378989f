package csvfile

import (
	"bytes"
	"errors"
	"testing"
)

type encodedRow struct {
	Ref    string `csv:"ref"`
	Qty    int64  `csv:"quantite"`
	Note   string `csv:"note"`
	hidden string // unexported: not a column
}

// TestEncoderAsWriter checks that an Encoder writes exactly what Writer writes for the
// same fields, in every dialect: header first, values neutralised, quoted, BOM, CRLF.
func TestEncoderAsWriter(t *testing.T) {
	rows := []encodedRow{
		{"A-1", 12, "simple", "x"},
		{"=SUM(A1)", -3, "a;b,c", ""},
		{"@cmd", 0, "ligne\nsuivante", ""},
		{"'déjà", 7, ` espaces "quotés" `, ""},
	}
	for _, opt := range []WriterOptions{{}, {Comma: ';', CRLF: true, BOM: true}, {Comma: '\t'}} {
		var got, want bytes.Buffer
		cw := NewWriter(&got, opt)
		enc := NewEncoder[encodedRow](cw)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				t.Fatalf("%+v: Encode(%+v) = %v", opt, r, err)
			}
		}
		if err := cw.Close(); err != nil {
			t.Fatalf("%+v: Close() = %v", opt, err)
		}
		ww := NewWriter(&want, opt)
		ww.Write([]string{"ref", "quantite", "note"})
		ww.Write([]string{"A-1", "12", "simple"})
		ww.Write([]string{"=SUM(A1)", "-3", "a;b,c"})
		ww.Write([]string{"@cmd", "0", "ligne\nsuivante"})
		ww.Write([]string{"'déjà", "7", ` espaces "quotés" `})
		if err := ww.Close(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%+v: Encoder wrote\n%q\nwant (Writer)\n%q", opt, got.String(), want.String())
		}
	}
}

func TestEncoderHeaderOnly(t *testing.T) {
	var buf bytes.Buffer
	cw := NewWriter(&buf, WriterOptions{})
	NewEncoder[encodedRow](cw)
	if err := cw.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "ref,quantite,note\n"; got != want {
		t.Errorf("no record: wrote %q, want %q", got, want)
	}
}

func TestEncoderNotStruct(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder[string](NewWriter(&buf, WriterOptions{}))
	if err := enc.Encode("x"); err == nil {
		t.Errorf("Encode of a string = nil, want an error")
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write(p []byte) (int, error) { return 0, errDiskFull }

// TestEncoderStickyError checks that a write error comes back from Close even though
// gocsv asks for no flush of its own.
func TestEncoderStickyError(t *testing.T) {
	cw := NewWriter(failingWriter{}, WriterOptions{})
	enc := NewEncoder[encodedRow](cw)
	for range 10000 { // more than the Writer's buffer
		enc.Encode(encodedRow{Ref: "A-1", Note: "une note assez longue pour remplir le tampon"})
	}
	if err := cw.Close(); !errors.Is(err, errDiskFull) {
		t.Errorf("Close() = %v, want %v", err, errDiskFull)
	}
	if err := enc.Encode(encodedRow{}); !errors.Is(err, errDiskFull) {
		t.Errorf("Encode after a write error = %v, want %v", err, errDiskFull)
	}
}
