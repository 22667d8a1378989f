// Package dmt is the root of the data migration toolkit; it holds what every program
// embeds: the database schemas.
package dmt

import (
	_ "embed"
	"strings"
)

// ClevitySchema is schema.sql, the clevity database with its constraints, journal and
// rejections, as one readable text. Programs build databases from the ordered steps of
// pkg/schema; a test checks that those steps produce exactly this.
//
//go:embed schema.sql
var ClevitySchema string

//go:embed schema_distributech.sql
var distributechTables string

// DistributechSchema is the distributech database: the journal part of schema.sql (every
// table before the first business table) followed by schema_distributech.sql, so the
// journal is written once for both domains.
var DistributechSchema = journalPart(ClevitySchema) + "\n" + distributechTables

func journalPart(schema string) string {
	i := strings.Index(schema, "CREATE TABLE IF NOT EXISTS clients")
	if i < 0 {
		panic("schema.sql: no clients table")
	}
	return schema[:i]
}
