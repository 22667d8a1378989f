package csvfile

import (
	"github.com/gocarina/gocsv"
)

// Encoder writes values of a struct type T as records, one column per field named by
// its `csv` tag, in field order: the files whose shape is fixed by the program (stock
// state, manifests) are declared once as a struct instead of as a header slice and a
// row slice kept in step by hand. gocsv turns the struct into fields; the Writer
// writes them, so the file keeps the Writer's dialect (separator, line ends, BOM) and
// its formula neutralising, which gocsv's own writer (encoding/csv) knows nothing of.
//
// Only writing goes through gocsv. Files are read by Reader, never by gocsv: gocsv
// stops at the first broken quote (it reads with encoding/csv), while Reader reports
// the broken record and reads on, and it keeps the line numbers and raw text that
// rejected rows need.
type Encoder[T any] struct {
	w   gocsvWriter
	err error
}

// gocsvWriter lets gocsv write through a Writer. Flush does nothing: gocsv flushes
// after every call, that is after every record here, and the Writer's owner flushes
// once with Close.
type gocsvWriter struct{ *Writer }

var _ gocsv.CSVWriter = gocsvWriter{}

func (gocsvWriter) Flush()         {}
func (w gocsvWriter) Error() error { return w.err }

// NewEncoder returns an Encoder writing to w, and writes the header, T's column names,
// at once, so that a file without records still has its header. Closing w flushes
// what was encoded. A T that is not a struct gives an error at the first Encode.
func NewEncoder[T any](w *Writer) *Encoder[T] {
	e := &Encoder[T]{w: gocsvWriter{w}}
	e.err = gocsv.MarshalCSV([]T{}, e.w)
	return e
}

// Encode writes v as one record. After an error every later Encode returns it.
func (e *Encoder[T]) Encode(v T) error {
	if e.err != nil {
		return e.err
	}
	e.err = gocsv.MarshalCSVWithoutHeaders([]T{v}, e.w)
	return e.err
}
