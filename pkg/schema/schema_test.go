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

// TestScopes: Scoped and Scopes partition the steps, and Steps of a domain is the
// journal's steps and the domain's own, merged by number.
func TestScopes(t *testing.T) {
	scopes := Scopes()
	if len(scopes) < 2 || scopes[0] != JournalScope {
		t.Fatalf("Scopes() = %v, want the journal first and at least one domain", scopes)
	}
	n := 0
	for _, sc := range scopes {
		for _, s := range Scoped(sc) {
			if s.Scope != sc {
				t.Errorf("Scoped(%q) holds %s", sc, s.Name)
			}
			n++
		}
	}
	if n != len(all) {
		t.Errorf("the scopes hold %d steps, want all %d", n, len(all))
	}
	if got := Scoped("nope"); got != nil {
		t.Errorf("Scoped(nope) = %v, want none", got)
	}
	for _, sc := range scopes[1:] {
		steps, err := Steps(sc)
		if err != nil {
			t.Fatal(err)
		}
		if want := len(Scoped(JournalScope)) + len(Scoped(sc)); len(steps) != want {
			t.Errorf("Steps(%q): %d steps, want %d", sc, len(steps), want)
		}
		for i := 1; i < len(steps); i++ {
			if steps[i-1].Version >= steps[i].Version {
				t.Errorf("Steps(%q): %s before %s", sc, steps[i-1].Name, steps[i].Name)
			}
		}
	}
}
