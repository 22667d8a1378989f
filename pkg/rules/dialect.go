package rules

import "strings"

// The SQL forms of the rules (Field.SQL, RowRule, ParentRule), the SQL the domains
// derive from them (domain's fingerprint and list forms) and validate's checks are
// MariaDB's SQL, on purpose: each is written beside its Go form so that the two cannot
// drift, and the shared case table runs both against MariaDB. The one piece of that
// dialect the programs build names with lives here.

// QuoteIdent quotes a table or column name for MariaDB: in backticks, a backtick inside
// doubled. Every piece of SQL the toolkit builds from a name goes through it; the names
// come from the domain descriptions, never from data.
func QuoteIdent(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }
