// Package runlog writes a tool's operation log (log.txt, log_reprise.txt): one line per
// operation, appended, in slog's key=value text form so that it greps well:
//
//	time=2026-11-15T10:00:00.123Z level=WARN action=rejected run=20261115T100000Z-3fa2c1 file=clients.csv line=12 code=BAD_EMAIL detail="email: BAD_EMAIL: ..."
package runlog

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// File is an open log file that remembers the first write that failed: slog drops
// the errors of its handlers, and a run whose log cannot be written must not pass for
// a logged one (a full disk, log.txt linked to /dev/full).
type File struct {
	f    *os.File
	path string
	mu   sync.Mutex
	err  error
}

// Write writes p to the file; after a failed write it writes nothing more and returns
// that first error.
func (f *File) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.f.Write(p)
	if err != nil {
		f.err = fmt.Errorf("log %s: %w", f.path, err)
	}
	return n, err
}

// Err returns the first write error, naming the file, or nil.
func (f *File) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// Close closes the file and returns the first write error, or the close's.
func (f *File) Close() error {
	cerr := f.f.Close()
	if err := f.Err(); err != nil {
		return err
	}
	if cerr != nil {
		return fmt.Errorf("log %s: %w", f.path, cerr)
	}
	return nil
}

// Open appends to the log file at path (creating it and its folder) and returns a logger
// that stamps every line with the run id, and the file, whose Err a run checks (before
// each batch and at its end) and which it closes at the end.
func Open(path, runID string) (*slog.Logger, *File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, fmt.Errorf("log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("log: %w", err)
	}
	lf := &File{f: f, path: path}
	return New(lf, runID), lf, nil
}

// New returns a logger writing operation lines to w.
func New(w io.Writer, runID string) *slog.Logger {
	h := slog.NewTextHandler(w, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case slog.MessageKey:
			a.Key = "action"
		case slog.TimeKey:
			a.Value = slog.StringValue(a.Value.Time().UTC().Format("2006-01-02T15:04:05.000Z"))
		}
		return a
	}})
	return slog.New(h).With("run", runID)
}
