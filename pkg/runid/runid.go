// Package runid makes and recognises the ids of runs, written in the journal, in each log
// line, in each report and in the names of the files a run kept (NAME.<run_id>.EXT). It
// lives apart from pkg/cli so that the engine (pkg/migrate) and the programs share one
// definition of the form, and a library never imports the command-line layer.
package runid

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"time"
)

// New returns a run id: the UTC start time and a random suffix (20261115T100000Z-3fa2c1),
// sortable and unique enough for the journal, the logs and the reports.
func New(started time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return started.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// Pattern is the regular expression of an id New returns, without anchors, for
// expressions that find one inside a longer name.
const Pattern = `\d{8}T\d{6}Z-[0-9a-f]{6}`

var whole = regexp.MustCompile(`^` + Pattern + `$`)

// Valid reports whether s has the form of an id New returns.
func Valid(s string) bool { return whole.MatchString(s) }
