package mariadb

import (
	"fmt"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/store"
)

// splitBatch cuts a batch in two that write, together, exactly what it writes, each
// with balanced journal counts, and both not empty; a batch of one row is not cut.
func TestSplitBatch(t *testing.T) {
	e := domain.Clevity().Entity("clients")
	mk := func(rows, updates, rejections, ignored int) *batch {
		b := &batch{Batch: &store.Batch{RunID: "r1", File: "clients.csv", Seq: 7, Entity: e}}
		line := 2
		for k := 0; k < rows; k++ {
			b.Rows = append(b.Rows, store.Row{Line: line})
			line++
		}
		for k := 0; k < updates; k++ {
			b.Updates = append(b.Updates, store.Row{Line: line})
			line++
		}
		for k := 0; k < rejections; k++ {
			b.Rejections = append(b.Rejections, store.Rejection{Line: line})
			b.Corrections = append(b.Corrections, store.Correction{Line: line})
			line++
		}
		line += ignored
		b.Progress = store.Progress{First: 2, Line: line - 1, Read: line - 2, Inserted: rows, Updated: updates, Rejected: rejections, Ignored: ignored}
		return b
	}
	for _, c := range [][4]int{{10, 0, 0, 0}, {1, 0, 1, 0}, {0, 0, 2, 3}, {7, 3, 5, 2}, {0, 4, 0, 1}, {1, 1, 0, 9}} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			b := mk(c[0], c[1], c[2], c[3])
			first, second, ok := splitBatch(b)
			if !ok {
				t.Fatal("not cut")
			}
			n := func(p *batch) int { return len(p.Rows) + len(p.Updates) + len(p.Rejections) }
			if n(first) == 0 || n(second) == 0 || n(first)+n(second) != n(b) {
				t.Errorf("pieces of %d and %d items, want two non-empty pieces of %d in all", n(first), n(second), n(b))
			}
			if len(first.Corrections)+len(second.Corrections) != len(b.Corrections) {
				t.Errorf("corrections %d + %d, want %d", len(first.Corrections), len(second.Corrections), len(b.Corrections))
			}
			for _, p := range []*batch{first, second} {
				g := p.Progress
				if g.Read != g.Inserted+g.Updated+g.Rejected+g.Ignored || g.Inserted != len(p.Rows) || g.Updated != len(p.Updates) || g.Rejected != len(p.Rejections) {
					t.Errorf("piece progress %+v for %d rows, %d updates, %d rejections", g, len(p.Rows), len(p.Updates), len(p.Rejections))
				}
			}
			f, s := first.Progress, second.Progress
			if f.Read+s.Read != b.Progress.Read || f.Ignored+s.Ignored != b.Progress.Ignored {
				t.Errorf("pieces read %d + %d, ignored %d + %d; want %+v", f.Read, s.Read, f.Ignored, s.Ignored, b.Progress)
			}
			if first.markerNo() != 7 || second.markerNo() != 7 {
				t.Errorf("markers %d, %d before numbering, want the batch's 7", first.markerNo(), second.markerNo())
			}
		})
	}
	if _, _, ok := splitBatch(mk(1, 0, 0, 4)); ok {
		t.Errorf("a batch of one row was cut")
	}
	if got := splitMarker(7, 3); got != 1000007003 {
		t.Errorf("splitMarker(7, 3) = %d", got)
	}
}
