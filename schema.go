// Package dmt is the root of the data migration toolkit. It holds the readable schemas:
// schema_journal.sql (the tables every domain's database holds) and each domain's own
// file, named by its registration in pkg/domain (schema.sql, schema_distributech.sql).
// Programs build databases from the ordered steps of pkg/schema, never from these
// texts; tests hold what the steps build equal to them, and pkg/docgen documents the
// tables with their comments.
package dmt

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed schema*.sql
var schemaFiles embed.FS

// ReadableSchema returns the readable schema files named (at the repository's root),
// joined in order: ReadableSchema(d.SchemaFiles()...) is domain d's database as one
// text. It errs for a name with no such file.
func ReadableSchema(files ...string) (string, error) {
	var parts []string
	for _, f := range files {
		b, err := schemaFiles.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("readable schema %s: %w", f, err)
		}
		parts = append(parts, string(b))
	}
	return strings.Join(parts, "\n"), nil
}
