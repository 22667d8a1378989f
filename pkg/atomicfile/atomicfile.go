// Package atomicfile writes files whole: under a temporary name in the destination's
// folder, renamed into place only when the run commits it. So a reader never sees half
// a file, a program may read a file and write its replacement at the same path (the
// README's round trips do), a failed run leaves the previous file untouched, and the
// version a run replaces is kept beside it as NAME.<run_id>.EXT, never lost.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"dmt/pkg/runid"
)

// File is a file being written under a temporary name beside its destination.
type File struct {
	path string
	f    *os.File
	done bool
}

// Create starts writing path: nothing at path changes until Commit. The temporary
// file is hidden (.NAME.tmp-*) and does not end in the destination's extension, so no
// folder input or glob of the destination's kind picks it up.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{path: path, f: f}, nil
}

// Write writes to the temporary file.
func (a *File) Write(p []byte) (int, error) { return a.f.Write(p) }

// Path is the destination.
func (a *File) Path() string { return a.path }

// Commit flushes and closes the temporary file and renames it to its destination. A file
// already there is kept first as Backup(path, runID), whose name it returns (runID ""
// replaces it). On error the temporary file is removed and the destination is as it was.
func (a *File) Commit(runID string) (kept string, err error) {
	if a.done {
		return "", nil
	}
	a.done = true
	err = a.f.Sync()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil && runID != "" {
		kept, err = keep(a.path, runID, true)
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return "", fmt.Errorf("write %s: %w", a.path, err)
	}
	return kept, nil
}

// Abort closes and removes the temporary file: the run created it, and the destination
// is left as it was. Abort after Commit does nothing.
func (a *File) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.f.Close()
	os.Remove(a.f.Name())
}

// WriteFile writes path whole with write, keeping a file it replaces as
// Backup(path, runID) (runID "" replaces it).
func WriteFile(path, runID string, write func(io.Writer) error) error {
	a, err := Create(path)
	if err != nil {
		return err
	}
	if err := write(a); err != nil {
		a.Abort()
		return err
	}
	_, err = a.Commit(runID)
	return err
}

// Replace renames from, a complete file in the folder of to, to to, keeping a file
// already there first as Backup(to, runID), whose name it returns ("" when there was
// none): as Commit, for a file written elsewhere than through Create (a run that stages
// several files and moves them in together). to is never missing meanwhile.
func Replace(from, to, runID string) (kept string, err error) {
	if kept, err = keep(to, runID, true); err != nil {
		return "", fmt.Errorf("keep %s: %w", to, err)
	}
	if err := os.Rename(from, to); err != nil {
		return kept, err
	}
	return kept, nil
}

// SetAside moves the file at path, if any, to Backup(path, runID) and returns that name
// ("" when there was no file): a run that has nothing to write where an earlier run
// wrote (no row isolated this time) leaves no stale file there, and loses nothing.
func SetAside(path, runID string) (string, error) {
	return keep(path, runID, false)
}

// Backup is the name a replaced file is kept under: NAME.<runID>.EXT beside it
// (quarantaine_projets.20261115T100000Z-3fa2c1.csv).
func Backup(path, runID string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "." + runID + ext
}

// backupName matches the names Backup gives with a run id of runid.New (with -2, -3...
// when that name was taken).
var backupName = regexp.MustCompile(`\.` + runid.Pattern + `(-\d+)?(\.[^.]*)?$`)

// IsBackup reports whether a file name is one Backup gives a kept version
// (commandes_2026-W07_R012.20261115T100000Z-3fa2c1.csv): what a run kept is never read
// as input, nor kept again.
func IsBackup(name string) bool { return backupName.MatchString(name) }

// keep gives the file at path a second name (link, so the destination never goes
// missing) or moves it there, under Backup(path, runID), or NAME.<runID>-2.EXT and so
// on should that name be taken.
func keep(path, runID string, link bool) (string, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	name := Backup(path, runID)
	for n := 2; ; n++ {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			break
		}
		name = Backup(path, fmt.Sprintf("%s-%d", runID, n))
	}
	if link {
		if os.Link(path, name) == nil {
			return name, nil
		}
		// A file system without hard links: move the old file aside instead; the
		// destination is missing only until the rename that follows.
	}
	if err := os.Rename(path, name); err != nil {
		return "", err
	}
	return name, nil
}
