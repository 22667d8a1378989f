package schema

import (
	"reflect"
	"testing"
)

func TestStatements(t *testing.T) {
	got := Statements("-- a comment\n\nCREATE TABLE IF NOT EXISTS a (\n  x INT\n);\n  -- indented comment\nCREATE TABLE IF NOT EXISTS b (x INT);\r\n\nSELECT 1")
	want := []string{"CREATE TABLE IF NOT EXISTS a (\n  x INT\n)", "CREATE TABLE IF NOT EXISTS b (x INT)", "SELECT 1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Statements = %q, want %q", got, want)
	}
}
