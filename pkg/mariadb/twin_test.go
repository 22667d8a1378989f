package mariadb_test

import (
	"context"
	"fmt"
	"testing"
)

// TestLoadBatchStoredTwins: rows another run stored between the checker's look-up and
// the insert (Galera issue #19, item 6). Those stored identical come back as Loaded
// refusals, counted as ignored, with no rejection recorded; a row stored with other
// content is refused (DB_REFUSED); the batch's other rows are written.
func TestLoadBatchStoredTwins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openThrough(t)
	// Clients 2-11 are stored by an earlier batch ("the other run").
	if _, err := db.LoadBatch(ctx, clientsBatch(1, 2, 10, 0)); err != nil {
		t.Fatal(err)
	}
	// Batch 2 holds clients 2-31: 2-11 identical to the stored ones, but client 5 with
	// another name.
	b := clientsBatch(2, 2, 30, 0)
	b.Rows[3].Values[1] = "Autre nom"
	refused, err := db.LoadBatch(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	loaded, other := 0, 0
	for _, r := range refused {
		switch {
		case r.Loaded && r.Row.Line != 5:
			loaded++
		case !r.Loaded && r.Row.Line == 5:
			other++
		default:
			t.Errorf("refused %+v", r)
		}
	}
	if loaded != 9 || other != 1 {
		t.Errorf("%d rows found already loaded and %d refused, want 9 and 1", loaded, other)
	}
	// Batch 1: 10 inserted, 2 rejected, 1 ignored; batch 2: 20 inserted, 9 already
	// loaded (+1 ignored by the checks), 1 refused (+2 rejected by the checks).
	want := fmt.Sprintf("clients %d, rejections 4 + 1 DB_REFUSED, 2 batches; journal_files 46 30 5 11; journal_batches 46 30 5 11", 30)
	if got := counts(t, db); got != want {
		t.Errorf("after the batch:\n got %s\nwant %s", got, want)
	}
}
