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
)

// Open appends to the log file at path (creating it and its folder) and returns a logger
// that stamps every line with the run id, and the file to close at the end.
func Open(path, runID string) (*slog.Logger, io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, fmt.Errorf("log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("log: %w", err)
	}
	return New(f, runID), f, nil
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
