package migrate

import (
	"context"
	"sync"
	"time"
)

// loaderPool writes batches beside the reader, each loader on its own connection:
// batches are checked while earlier ones are written, two at a time, so that the
// server works on both cores while this process checks. Batches of one file do not
// depend on each other. What becomes of each batch is handed to took, on the reader's
// goroutine, inside Send and Close; the first error took returns stops the pool.
type loaderPool struct {
	jobs chan *batchJob
	done chan batchDone
	took func(batchDone) error
	err  error // the first error took returned
}

// startLoaders starts opt.Loaders loaders (2 by default). A batch is handed to a loader
// that is free, not queued: a queued batch would hold its rows, and the checker's window
// of them, while the reader fills the next.
func startLoaders(ctx context.Context, opt Options, took func(batchDone) error) *loaderPool {
	p := &loaderPool{jobs: make(chan *batchJob), done: make(chan batchDone, 4), took: took}
	n := opt.Loaders
	if n <= 0 {
		n = 2
	}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.load(ctx, opt)
		}()
	}
	go func() {
		wg.Wait()
		close(p.done)
	}()
	return p
}

// load writes the batches it receives until the pool is closed. After a batch that
// failed it writes no other: it only drains the jobs until Close.
func (p *loaderPool) load(ctx context.Context, opt Options) {
	for job := range p.jobs {
		d := writeBatch(ctx, opt, job)
		p.done <- d
		if d.err != nil {
			for range p.jobs {
			}
			return
		}
		if opt.writes() && opt.PauseAfterBatch > 0 {
			time.Sleep(opt.PauseAfterBatch)
		}
	}
}

// writeBatch writes one batch, when the run still may (opt.BeforeBatch) and writes to a
// database at all.
func writeBatch(ctx context.Context, opt Options, job *batchJob) batchDone {
	if opt.BeforeBatch != nil {
		if err := opt.BeforeBatch(); err != nil {
			return batchDone{job: job, err: err}
		}
	}
	if !opt.writes() {
		return batchDone{job: job}
	}
	if err := ctx.Err(); err != nil {
		return batchDone{job: job, err: err}
	}
	// A batch begun is finished whatever becomes of ctx, as the first Ctrl-C promises
	// ("finishing the current batch"): its COMMIT cut by the cancellation could apply
	// unseen, a batch in the tables and the journal's file row but not in the run's
	// counts (seen at a file boundary in TestInterruptAndRerun). A server that never
	// answers is still bounded, by DB.BatchWithin.
	refused, err := opt.Store.LoadBatch(context.WithoutCancel(ctx), job.batch)
	return batchDone{job: job, refused: refused, err: err}
}

// Send hands job to a loader, handing the batches finished meanwhile to took. It
// returns the first error took returned (job is then not sent), or the context's.
func (p *loaderPool) Send(ctx context.Context, job *batchJob) error {
	p.Collect()
	for p.err == nil {
		select {
		case p.jobs <- job:
			return nil
		case d := <-p.done:
			p.hand(d)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return p.err
}

// Collect hands took the batches finished so far, without waiting: what they hold
// (their rows, the checker's window of them) is let go as soon as they are committed,
// not when the next batch is sent.
func (p *loaderPool) Collect() {
	for p.err == nil {
		select {
		case d := <-p.done:
			p.hand(d)
		default:
			return
		}
	}
}

// hand gives took what became of a batch, keeping took's first error.
func (p *loaderPool) hand(d batchDone) {
	if err := p.took(d); err != nil && p.err == nil {
		p.err = err
	}
}

// Close waits for the loaders to finish the batches sent, hands each to took, and
// returns the first error took returned, in Send or here.
func (p *loaderPool) Close() error {
	close(p.jobs)
	for d := range p.done {
		p.hand(d)
	}
	return p.err
}
