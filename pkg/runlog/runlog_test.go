package runlog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dmt/pkg/runlog"
)

func TestFileRemembersItsFirstError(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	path := filepath.Join(t.TempDir(), "log.txt")
	if err := os.Symlink("/dev/full", path); err != nil {
		t.Fatal(err)
	}
	log, f, err := runlog.Open(path, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Err(); err != nil {
		t.Fatalf("Err() before any write = %v", err)
	}
	log.Info("run")
	log.Info("end")
	err = f.Err()
	if err == nil || !strings.Contains(err.Error(), "log "+path) || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("Err() = %v, want the first write's error naming %s", err, path)
	}
	if cerr := f.Close(); cerr == nil || cerr.Error() != err.Error() {
		t.Errorf("Close() = %v, want %v", cerr, err)
	}
}

func TestFileWritesLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.txt")
	log, f, err := runlog.Open(path, "r1")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("run", "file", "clients.csv")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(path)
	if !strings.Contains(string(text), "level=INFO action=run run=r1 file=clients.csv") {
		t.Errorf("log.txt = %q", text)
	}
}
