package validate

import (
	"testing"

	"dmt/pkg/store"
)

// TestUniqueProof: a unique index proves a uniqueness check only when it covers no
// column outside the check's.
func TestUniqueProof(t *testing.T) {
	cols := map[string]store.Column{
		"a.x": {Table: "a", Name: "x", Uniques: "x,y,z;x,w"},
		"a.y": {Table: "a", Name: "y"},
		"a.z": {Table: "a", Name: "z", Uniques: "z"},
		"a.w": {Table: "a", Name: "w"},
		"b.x": {Table: "b", Name: "x"},
	}
	for _, c := range []struct {
		table string
		cols  []string
		want  bool
	}{
		{"a", []string{"x", "y", "z"}, true},
		{"a", []string{"z", "y", "x", "w"}, true},
		{"a", []string{"x", "w"}, true},
		{"a", []string{"z", "y"}, true}, // z alone is unique
		{"a", []string{"x", "y"}, false},
		{"a", []string{"y", "w"}, false},
		{"b", []string{"x"}, false},
		{"c", []string{"x"}, false},
	} {
		if got := (Proof{Table: c.table, Unique: c.cols}).holds(cols); got != c.want {
			t.Errorf("Proof{%s, Unique: %v}.holds = %v, want %v", c.table, c.cols, got, c.want)
		}
	}
}
