package cli

import "testing"

func TestManual(t *testing.T) {
	src := "// Prog does things.\n//\n// Usage:\n//\n//\tprog [flags] FILE\n//\n// Exit status: 0.\n//\n//go:generate true\npackage main\n"
	want := "Prog does things.\n\nUsage:\n\n    prog [flags] FILE\n\nExit status: 0.\n"
	if got := Manual(src); got != want {
		t.Errorf("Manual(src) = %q, want %q", got, want)
	}
}
