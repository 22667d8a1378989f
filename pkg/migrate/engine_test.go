package migrate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/report"
)

// rejectsKept records the rejected rows in memory.
type rejectsKept struct{ rows []Rejected }

func (k *rejectsKept) Reject(_ *Source, r Rejected) error {
	k.rows = append(k.rows, r)
	return nil
}

// TestRunWithoutStore runs the engine in process, with no database (a dry run on the
// files alone) and batches of two rows, so that the loaders and the accountant see
// several batches: every row is accounted for, in the file's order.
func TestRunWithoutStore(t *testing.T) {
	d := domain.Clevity()
	csv := "id_client;nom;email;date_creation\n" +
		"1;Alpha;a@x.fr;01/02/2003\n" +
		"2;Beta;not-an-email;01/02/2003\n" +
		"3;Gamma;g@x.fr;01/02/2003\n" +
		"1;Alpha;a@x.fr;01/02/2003\n" +
		"4;\"Delta;d@x.fr;01/02/2003\n" +
		"5;Epsilon;g@x.fr;01/02/2003\n"
	src := &Source{Name: "clients.csv", Entity: d.Entity("clients"), R: strings.NewReader(csv)}
	files, err := Open([]*Source{src})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	kept := &rejectsKept{}
	opt := Options{RunID: "20260101T000000Z-000000", Tool: "migration", DryRun: true, BatchSize: 2,
		Checker: check.New(d, model.NewDate(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))), Log: slog.New(slog.NewTextHandler(&logs, nil)), Rejects: kept}
	reps, err := Run(context.Background(), opt, files)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := reps[0]
	want := report.Counts{Read: 6, Inserted: 2, Rejected: 3, Ignored: 1}
	if c := (report.Counts{Read: got.Read, Inserted: got.Inserted, Rejected: got.Rejected, Ignored: got.Ignored}); c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	if got.State != report.StateComplete {
		t.Errorf("state = %q, want %q", got.State, report.StateComplete)
	}
	var lines []int
	for _, r := range kept.rows {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{3, 6, 7}) {
		t.Errorf("rejected lines = %v, want [3 6 7] (a bad e-mail, a broken quote, an e-mail taken)", lines)
	}
}

// TestLoaderPoolFirstError checks that a batch that fails stops the pool and that Send
// or Close return that first error, the later batches' errors aside.
func TestLoaderPoolFirstError(t *testing.T) {
	first, second := errors.New("first"), errors.New("second")
	var mu sync.Mutex
	calls := 0
	opt := Options{Loaders: 1, BeforeBatch: func() error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		switch calls {
		case 2:
			return first
		case 3:
			return second
		}
		return nil
	}}
	var sticky error
	var took []int
	p := startLoaders(context.Background(), opt, func(d batchDone) error {
		if d.err != nil && sticky == nil {
			sticky = d.err
		}
		if d.err == nil {
			took = append(took, d.job.seq)
		}
		return sticky
	})
	var sendErr error
	for i := range 5 {
		if sendErr = p.Send(context.Background(), &batchJob{seq: i}); sendErr != nil {
			break
		}
	}
	closeErr := p.Close()
	if !errors.Is(closeErr, first) || (sendErr != nil && !errors.Is(sendErr, first)) {
		t.Errorf("Send = %v, Close = %v, want the first error (%v)", sendErr, closeErr, first)
	}
	if len(took) != 1 || took[0] != 0 {
		t.Errorf("batches written = %v, want [0] only: none after the one that failed", took)
	}
}

func TestWithLater(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	for _, c := range []struct {
		err, later error
		want       []error
		text       string
	}{
		{nil, nil, nil, ""},
		{a, nil, []error{a}, "a"},
		{nil, b, []error{b}, "b"},
		{a, a, []error{a}, "a"},
		{a, b, []error{a, b}, "a\nb"},
	} {
		got := withLater(c.err, c.later)
		for _, w := range c.want {
			if !errors.Is(got, w) {
				t.Errorf("withLater(%v, %v) = %v, want it to hold %v", c.err, c.later, got, w)
			}
		}
		if text := errText(got); text != c.text {
			t.Errorf("withLater(%v, %v) says %q, want %q", c.err, c.later, text, c.text)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestIgnoredRowsStillEndBatches: a batch ends after twice the batch size of lines read,
// even when none of them is to be loaded (a file already loaded, every row ignored).
// Until its batch is committed the checker keeps each chunk's rows: a dry run of a
// million rows already loaded sent one batch, at the end, and peaked at 154 MB.
func TestIgnoredRowsStillEndBatches(t *testing.T) {
	d := domain.Clevity()
	csv := "id_client;nom;email;date_creation\n" + strings.Repeat("1;Alpha;a@x.fr;01/02/2003\n", 21)
	src := &Source{Name: "clients.csv", Entity: d.Entity("clients"), R: strings.NewReader(csv)}
	files, err := Open([]*Source{src})
	if err != nil {
		t.Fatal(err)
	}
	var batches atomic.Int32
	opt := Options{RunID: "20260101T000000Z-000000", Tool: "migration", DryRun: true, BatchSize: 2,
		Checker: check.New(d, model.NewDate(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))),
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)), Rejects: &rejectsKept{},
		BeforeBatch: func() error { batches.Add(1); return nil }}
	reps, err := Run(context.Background(), opt, files)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := reps[0]; got.Read != 21 || got.Inserted != 1 || got.Ignored != 20 {
		t.Errorf("read %d, inserted %d, ignored %d; want 21, 1, 20", got.Read, got.Inserted, got.Ignored)
	}
	if n := batches.Load(); n < 21/4 {
		t.Errorf("%d batches for 21 lines, 20 of them ignored, at a batch size of 2: want one every 4 lines at least", n)
	}
}
