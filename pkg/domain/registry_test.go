package domain_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/domain"
	"dmt/pkg/schema"
)

// TestRegistry: every registered domain is found by its name, in any case, has schema
// steps of its own and a readable schema file of its own at the repository's root; every
// scope of the schema steps is the journal or a registered domain.
func TestRegistry(t *testing.T) {
	names := domain.Names()
	if len(names) < 2 || domain.DefaultName() != names[0] {
		t.Fatalf("Names() = %v, DefaultName() = %q", names, domain.DefaultName())
	}
	if got := domain.Choices(); got != strings.Join(names, " or ") {
		t.Errorf("Choices() = %q", got)
	}
	files := []string{domain.JournalSchemaFile}
	for _, name := range names {
		d := domain.ByName(name)
		if d == nil || d.Name != name || domain.ByName(strings.ToUpper(name)) == nil {
			t.Errorf("ByName(%q) = %v", name, d)
			continue
		}
		if d == domain.ByName(name) {
			t.Errorf("ByName(%q) twice gave one value; each caller gets its own", name)
		}
		if slices.Contains(files, d.SchemaFile) || !strings.HasSuffix(d.SchemaFile, ".sql") {
			t.Errorf("%s: SchemaFile %q is another's, or no .sql file", name, d.SchemaFile)
		}
		files = append(files, d.SchemaFile)
		if got := d.SchemaFiles(); !slices.Equal(got, []string{domain.JournalSchemaFile, d.SchemaFile}) {
			t.Errorf("%s: SchemaFiles() = %v", name, got)
		}
		steps, err := d.Steps()
		if err != nil || len(schema.Scoped(name)) == 0 {
			t.Errorf("%s: no schema steps of its own (%v)", name, err)
		}
		if len(steps) != len(schema.Scoped(schema.JournalScope))+len(schema.Scoped(name)) {
			t.Errorf("%s: Steps() = %d steps, want the journal's and its own", name, len(steps))
		}
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join("..", "..", f)); err != nil {
			t.Errorf("readable schema: %v", err)
		}
	}
	for _, scope := range schema.Scopes() {
		if scope != schema.JournalScope && !slices.Contains(names, scope) {
			t.Errorf("schema steps of scope %q, which is no registered domain", scope)
		}
	}
	if domain.ByName("nope") != nil {
		t.Error("ByName(nope) found a domain")
	}
}
