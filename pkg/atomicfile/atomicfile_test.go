package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadAndReplace reads a file while its replacement is written at the same path:
// the reader sees the old content to its end, the replaced file is kept under the run's
// name, and no temporary file is left.
func TestReadAndReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "quarantaine_projets.csv")
	os.WriteFile(path, []byte("old\n"), 0o644)
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	a, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(a, "new\n")
	if got := read(t, path); got != "old\n" {
		t.Errorf("before Commit, %s = %q, want the old content", path, got)
	}
	if b, _ := io.ReadAll(in); string(b) != "old\n" {
		t.Errorf("input read %q, want the old content", b)
	}
	kept, err := a.Commit("R1")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "quarantaine_projets.R1.csv"); kept != want || read(t, want) != "old\n" {
		t.Errorf("kept %q, want %s with the old content", kept, want)
	}
	if got := read(t, path); got != "new\n" {
		t.Errorf("after Commit, %s = %q", path, got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %d files, want the file and its kept version", len(entries))
	}
}

func TestAbortLeavesTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.txt")
	os.WriteFile(path, []byte("old"), 0o644)
	boom := errors.New("boom")
	if err := WriteFile(path, "R1", func(w io.Writer) error { io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("WriteFile = %v, want %v", err, boom)
	}
	if got := read(t, path); got != "old" {
		t.Errorf("after a failed write, %s = %q", path, got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d files, want 1", len(entries))
	}
}

func TestKeptNamesDoNotCollide(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.txt")
	for _, s := range []string{"1", "2", "3"} {
		if err := WriteFile(path, "R", func(w io.Writer) error { _, err := io.WriteString(w, s); return err }); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{"r.txt": "3", "r.R.txt": "1", "r.R-2.txt": "2"} {
		if got := read(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}

func TestSetAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "q.csv")
	if name, err := SetAside(path, "R1"); name != "" || err != nil {
		t.Errorf("SetAside of no file = %q, %v", name, err)
	}
	os.WriteFile(path, []byte("x"), 0o644)
	name, err := SetAside(path, "R1")
	if err != nil || name != filepath.Join(dir, "q.R1.csv") || read(t, name) != "x" {
		t.Errorf("SetAside = %q, %v", name, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there", path)
	}
}

// TestReplace: a file written elsewhere in the folder replaces the destination, whose
// bytes are kept as Backup (a name IsBackup knows); with no destination, nothing is kept.
func TestReplace(t *testing.T) {
	dir := t.TempDir()
	dst, staged := filepath.Join(dir, "clients.csv"), filepath.Join(dir, ".staged")
	os.WriteFile(dst, []byte("mine"), 0o644)
	os.WriteFile(staged, []byte("new"), 0o644)
	kept, err := Replace(staged, dst, "20261115T100000Z-3fa2c1")
	if err != nil || kept != filepath.Join(dir, "clients.20261115T100000Z-3fa2c1.csv") || read(t, kept) != "mine" || read(t, dst) != "new" {
		t.Fatalf("Replace = %q, %v; destination %q", kept, err, read(t, dst))
	}
	if !IsBackup(filepath.Base(kept)) || IsBackup("clients.csv") || IsBackup("commandes_2026-W07_R012.csv") {
		t.Errorf("IsBackup does not tell %s from the files it keeps", filepath.Base(kept))
	}
	os.WriteFile(staged, []byte("other"), 0o644)
	fresh := filepath.Join(dir, "projets.csv")
	if kept, err := Replace(staged, fresh, "20261115T100000Z-3fa2c1"); err != nil || kept != "" || read(t, fresh) != "other" {
		t.Errorf("Replace onto nothing = %q, %v", kept, err)
	}
}
