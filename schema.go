// Package dmt is the root of the data migration toolkit; it holds what every program
// embeds: the database schemas.
package dmt

import _ "embed"

// ClevitySchema is schema.sql, the clevity database with its constraints, journal and
// rejections. Programs apply it when tables are missing; every statement is idempotent.
//
//go:embed schema.sql
var ClevitySchema string
