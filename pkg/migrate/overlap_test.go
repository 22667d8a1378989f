package migrate

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dmt/pkg/check"
	"dmt/pkg/domain"
	"dmt/pkg/model"
	"dmt/pkg/store"
)

// heldStore is a Store and a Lookup in memory that holds the last batch of clients.csv
// uncommitted until the next file's rows are being judged (its Extent is asked), then a
// little longer: the look-ups of that chunk happen while the batch is not committed.
type heldStore struct {
	mu        sync.Mutex
	committed map[string]map[string][]string // entity -> key -> canonical values
	events    []string
	judging   chan struct{} // closed when projets.csv's first chunk is judged
	once      sync.Once
}

func (s *heldStore) event(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

func (s *heldStore) Extent(_ context.Context, e *domain.Entity) (store.Extent, error) {
	if e.Name == "projets" {
		s.event("judging projets.csv")
		s.once.Do(func() { close(s.judging) })
	}
	return store.Extent{}, nil
}

func (s *heldStore) Find(_ context.Context, e *domain.Entity, cols []string, tuples [][]string, _ []string, _ bool, fn func(store.Stored) error) error {
	s.mu.Lock()
	var found []store.Stored
	if len(cols) == 1 && cols[0] == e.KeyColumn() {
		for _, t := range tuples {
			if vals, ok := s.committed[e.Name][t[0]]; ok {
				found = append(found, store.Stored{Values: vals, RunID: "r", File: "clients.csv", Line: 1})
			}
		}
	}
	s.mu.Unlock()
	for _, f := range found {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

func (s *heldStore) LoadBatch(_ context.Context, b *store.Batch) ([]store.Refusal, error) {
	if b.File == "clients.csv" && b.Progress.Line == 6 { // the last batch: lines 6 and on
		select {
		case <-s.judging:
			time.Sleep(200 * time.Millisecond)
		case <-time.After(10 * time.Second):
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.committed[b.Entity.Name] == nil {
		s.committed[b.Entity.Name] = map[string][]string{}
	}
	for _, r := range b.Rows {
		s.committed[b.Entity.Name][b.Entity.KeyOf(r.Values)] = r.Values
	}
	s.events = append(s.events, b.File+" committed to line "+strconv.Itoa(b.Progress.Line))
	return nil, nil
}

func (s *heldStore) LastComplete(context.Context, string, string, string, string) (store.CompleteFile, bool, error) {
	return store.CompleteFile{}, false, nil
}
func (s *heldStore) RejectedLines(context.Context, string, string) (map[int]string, error) {
	return nil, nil
}
func (s *heldStore) AddFile(context.Context, string, string, string) error { return nil }
func (s *heldStore) BatchFull(*store.Batch) bool                           { return false }
func (s *heldStore) FinishFile(context.Context, string, string, string, int64) error {
	return nil
}

// TestNextFileJudgedWhileLastBatchCommits: the next file's first chunk is judged while
// the previous file's last batch is not committed yet (the pause at each file boundary
// is then spent judging), and its references to that batch's rows are judged right:
// the checker's window still holds them, the database does not yet.
func TestNextFileJudgedWhileLastBatchCommits(t *testing.T) {
	d := domain.Clevity()
	clients := "id_client;nom;email;date_creation\n" +
		"1;Alpha;a@x.fr;01/02/2003\n2;Beta;b@x.fr;01/02/2003\n3;Gamma;g@x.fr;01/02/2003\n" +
		"4;Delta;d@x.fr;01/02/2003\n5;Epsilon;e@x.fr;01/02/2003\n"
	projets := "id_projet,id_client,titre,type_prestation,statut,date_debut,date_fin,budget,note_satisfaction,sites\n" +
		"1,5,Audit,audit,termine,2016-04-23,2016-05-26,1000.00,,\n" +
		"2,1,Audit,audit,termine,2016-04-23,2016-05-26,1000.00,,\n"
	files, err := Open([]*Source{
		{Name: "clients.csv", Entity: d.Entity("clients"), R: strings.NewReader(clients)},
		{Name: "projets.csv", Entity: d.Entity("projets"), R: strings.NewReader(projets)},
	})
	if err != nil {
		t.Fatal(err)
	}
	st := &heldStore{committed: map[string]map[string][]string{}, judging: make(chan struct{})}
	ch := check.New(d, model.NewDate(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)))
	ch.Use(st, check.LocalMemory(), "run", true)
	opt := Options{RunID: "20260101T000000Z-000000", Tool: "migration", Store: st, BatchSize: 2, Checker: ch,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rejects: &rejectsKept{}}
	reps, err := Run(context.Background(), opt, files)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if p := reps[1]; p.Inserted != 2 || p.Rejected != 0 {
		t.Errorf("projets: inserted %d, rejected %d (%v); want 2 and 0: client 5, of the batch still committing, exists", p.Inserted, p.Rejected, p.ByCode)
	}
	judging := slices.Index(st.events, "judging projets.csv")
	last := slices.Index(st.events, "clients.csv committed to line 6")
	first := slices.Index(st.events, "projets.csv committed to line 3")
	if judging < 0 || last < 0 || first < 0 || !(judging < last && last < first) {
		t.Errorf("events %q: want projets.csv judged before clients.csv's last batch is committed, and written after it", st.events)
	}
}

// slowStore holds its first batch until release is closed, as a COMMIT in flight.
type slowStore struct {
	heldStore
	started, release chan struct{}
	once             sync.Once
	ctxErr           error
}

func (s *slowStore) LoadBatch(ctx context.Context, b *store.Batch) ([]store.Refusal, error) {
	first := false
	s.once.Do(func() { first = true })
	if first {
		close(s.started)
		<-s.release
		s.ctxErr = ctx.Err()
	}
	return s.heldStore.LoadBatch(ctx, b)
}

// TestInterruptFinishesTheBatchBegun: a run cancelled (the first Ctrl-C) while a batch is
// being written finishes that batch and counts it, and starts no other: its context
// does not reach the batch begun. Cancelled there, a COMMIT could apply unseen: the
// batch was in the tables and the journal's file row, and missing from the run's counts.
func TestInterruptFinishesTheBatchBegun(t *testing.T) {
	d := domain.Clevity()
	clients := "id_client;nom;email;date_creation\n" +
		"1;Alpha;a@x.fr;01/02/2003\n2;Beta;b@x.fr;01/02/2003\n3;Gamma;g@x.fr;01/02/2003\n" +
		"4;Delta;d@x.fr;01/02/2003\n5;Epsilon;e@x.fr;01/02/2003\n"
	files, err := Open([]*Source{{Name: "clients.csv", Entity: d.Entity("clients"), R: strings.NewReader(clients)}})
	if err != nil {
		t.Fatal(err)
	}
	st := &slowStore{heldStore: heldStore{committed: map[string]map[string][]string{}, judging: make(chan struct{})},
		started: make(chan struct{}), release: make(chan struct{})}
	close(st.judging) // no file follows: the held batch of heldStore does not wait
	ch := check.New(d, model.NewDate(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)))
	ch.Use(st, check.LocalMemory(), "run", true)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-st.started
		cancel()
		time.Sleep(50 * time.Millisecond)
		close(st.release)
	}()
	opt := Options{RunID: "20260101T000000Z-000000", Tool: "migration", Store: st, BatchSize: 2, Checker: ch, Loaders: 1,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Rejects: &rejectsKept{}}
	reps, err := Run(ctx, opt, files)
	if err == nil {
		t.Fatal("Run finished despite the cancellation")
	}
	if st.ctxErr != nil {
		t.Errorf("the batch begun saw its context cancelled (%v)", st.ctxErr)
	}
	if got, stored := reps[0].Inserted, len(st.committed["clients"]); got != stored || stored != 2 {
		t.Errorf("report says %d inserted, the store holds %d; want 2 and 2 (the batch begun, no other)", got, stored)
	}
}
