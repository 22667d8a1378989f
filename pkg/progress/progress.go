// Package progress draws a one-line progress bar on a terminal, and nothing at all when
// its output is a pipe, a file or cron's mail.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Bar draws progress on a terminal.
type Bar struct {
	w     io.Writer
	on    bool
	last  time.Time
	drawn bool
}

// New returns a bar drawing on w when w is a terminal.
func New(w io.Writer) *Bar {
	f, ok := w.(*os.File)
	on := false
	if ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &Bar{w: w, on: on}
}

// Update shows that read of size bytes of name were read (size < 0: unknown).
func (b *Bar) Update(name string, read, size int64) {
	if !b.on || time.Since(b.last) < 100*time.Millisecond && read != size {
		return
	}
	b.last = time.Now()
	b.drawn = true
	if size <= 0 {
		fmt.Fprintf(b.w, "\r%-24s %8.1f MB", name, float64(read)/1e6)
		return
	}
	const width = 30
	n := int(float64(width) * float64(read) / float64(size))
	n = min(max(n, 0), width)
	fmt.Fprintf(b.w, "\r%-24s [%s%s] %3d%%", name, strings.Repeat("#", n), strings.Repeat(".", width-n), 100*read/size)
}

// Done ends the bar's line.
func (b *Bar) Done() {
	if b.on && b.drawn {
		fmt.Fprintln(b.w)
	}
}
