package csvfile

import (
	"bufio"
	"fmt"
	"io"
	"unicode/utf8"
)

// wholeLine follows a line too long to be held, chunk by chunk, to know how the reader
// would decode it whole (UTF-8 if all of it is valid UTF-8, else Windows-1252) and how
// long its text then is, without holding it.
type wholeLine struct {
	pend    []byte // the start of a rune cut by the end of the last chunk
	invalid bool   // not valid UTF-8
	n8      int64  // its length, so its UTF-8 text's
	n1252   int64  // the length of its text read as Windows-1252
}

// cp1252Len is the length in UTF-8 of each byte 0x80-0xFF read as Windows-1252.
var cp1252Len = func() (t [128]int64) {
	for i, r := range cp1252 {
		t[i] = int64(utf8.RuneLen(r))
	}
	return t
}()

func (w *wholeLine) add(p []byte) {
	w.n8 += int64(len(p))
	for _, c := range p {
		if c < utf8.RuneSelf {
			w.n1252++
		} else {
			w.n1252 += cp1252Len[c-0x80]
		}
	}
	if w.invalid {
		return
	}
	if len(w.pend) > 0 {
		for len(w.pend) < utf8.UTFMax && !utf8.FullRune(w.pend) && len(p) > 0 {
			w.pend, p = append(w.pend, p[0]), p[1:]
		}
		if !utf8.FullRune(w.pend) {
			return // p is used up: wait for the next chunk
		}
		if !utf8.Valid(w.pend) {
			w.invalid = true
			return
		}
		w.pend = w.pend[:0]
	}
	// A rune cut by the end of p is kept for the next chunk.
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		w.invalid = true
		return
	}
	w.pend = append(w.pend, p[cut:]...)
}

// valid reports whether the whole line was valid UTF-8.
func (w *wholeLine) valid() bool { return !w.invalid && len(w.pend) == 0 }

// WriteWhole writes to w the whole text of a Truncated record, decoded as the reader
// decoded its start, reading it from input, the same content NewReader was given, read
// again from its start: the reader held only its first MaxLineBytes bytes, so that a
// 50 MB line costs no memory while a file is read, and only the caller that wants it
// whole (the rejected-rows file) pays for it. The line is copied by chunks, never
// held. It returns an error when input is too short to hold the line (it changed).
func (e *ParseError) WriteWhole(w io.Writer, input io.Reader) error {
	if !e.Truncated {
		_, err := io.WriteString(w, e.Raw)
		return err
	}
	if s, ok := input.(io.Seeker); ok {
		if _, err := s.Seek(e.Offset, io.SeekStart); err != nil {
			return fmt.Errorf("line %d: read again: %w", e.Line, err)
		}
	} else if n, err := io.CopyN(io.Discard, input, e.Offset); err != nil {
		return fmt.Errorf("line %d: read again: %w (%d bytes before it, want %d)", e.Line, err, n, e.Offset)
	}
	br := bufio.NewReaderSize(io.LimitReader(input, e.Size), 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	skip := e.skip
	var out int64
	var dec []byte // a chunk decoded from Windows-1252
	emit := func(b []byte) {
		if skip > 0 {
			k := min(skip, len(b))
			b, skip = b[k:], skip-k
		}
		out += int64(len(b))
		bw.Write(b)
	}
	for first := true; ; first = false {
		chunk, err := br.Peek(br.Size())
		if len(chunk) == 0 {
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("line %d: read again: %w", e.Line, err)
			}
		}
		switch {
		case !e.cp1252:
			emit(chunk)
		default:
			if first && len(chunk) >= len(bom) && string(chunk[:len(bom)]) == string(bom) {
				emit([]byte("\uFEFF")) // decode keeps a BOM as U+FEFF
				chunk = chunk[len(bom):]
				br.Discard(len(bom))
			}
			dec = dec[:0]
			for _, c := range chunk {
				if c < utf8.RuneSelf {
					dec = append(dec, c)
				} else {
					dec = utf8.AppendRune(dec, cp1252[c-0x80])
				}
			}
			emit(dec)
		}
		br.Discard(len(chunk))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if out != e.RawBytes {
		return fmt.Errorf("line %d: read again: %d bytes of text, want %d (the input changed?)", e.Line, out, e.RawBytes)
	}
	return nil
}
