// Package docgen writes the generated parts of docs/: database.md and the Graphviz
// sources of its diagrams from the catalog of a live database built by the embedded
// schema steps, and rules.md from the rules catalogue and the domains. It writes text
// only, deterministically (everything sorted, no database name, no time), so that a
// golden test can tell when the committed files are out of date; the test's -update flag
// rewrites them, and scripts/docs.sh runs that and draws the SVGs with dot.
package docgen

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
)

// LineageColumns are the columns every business table has to say where each row came
// from. The diagrams leave them out; the tables list them.
var LineageColumns = []string{"run_id", "source_file", "source_line", "origin_file", "origin_line"}

var lineageMeaning = map[string]string{
	"run_id":      "the run that wrote the row (journal.run_id)",
	"source_file": "the file (or `distributech.sqlite:<table>`, or `stdin`) that run read",
	"source_line": "the line of that file (a SQLite row: its position + 2, as if exported under a header)",
	"origin_file": "for a row re-injected from a rejects or quarantine file: the file it first came from; NULL otherwise",
	"origin_line": "the line of origin_file",
}

func isLineage(col string) bool { return slices.Contains(LineageColumns, col) }

// Domain is one database to document: its domain's name and what its catalog says.
type Domain struct {
	Name    string
	Catalog *mariadb.Catalog
	// Comments are the comments of the readable schema text before each CREATE, by
	// table name: what a table is for, in the words of whoever wrote it.
	Comments map[string]string
	// Model is the domain's description: it orders the tables (load order) and says
	// where each table's rows come from.
	Model *domain.Domain
}

// tables returns d's tables but those in common: the domain's tables in load order
// (an order's header before its lines, a list's or history table after its entity),
// then the others by name.
func (d Domain) tables(common []string) []mariadb.Table {
	var order []string
	if d.Model != nil {
		for _, e := range d.Model.Entities {
			for _, h := range e.Headers {
				order = append(order, h.Table)
			}
			order = append(order, e.Name)
			for _, l := range e.Lists {
				order = append(order, l.Table)
			}
			if e.History != "" {
				order = append(order, e.History)
			}
		}
	}
	var out []mariadb.Table
	for _, n := range order {
		if t := d.Catalog.Table(n); t != nil {
			out = append(out, *t)
		}
	}
	for _, t := range d.Catalog.Tables {
		if !slices.Contains(order, t.Name) && !slices.Contains(common, t.Name) {
			out = append(out, t)
		}
	}
	return out
}

// source says where the rows of table come from, in d's model ("" when it does not say).
func (d Domain) source(table string) string {
	if d.Model == nil {
		return ""
	}
	for _, e := range d.Model.Entities {
		from := "`" + e.File + "`"
		switch {
		case e.SQLiteTable != "":
			from = "table `" + e.SQLiteTable + "` of `" + d.Model.SQLiteFile + "`"
		case e.Pattern != "":
			from = "the files `" + e.Pattern + "`"
		}
		if e.Name == table {
			return "Rows of " + from + ", one per row read."
		}
		if e.History == table {
			return "The earlier values of `" + e.Name + "` rows that " + from + " changed, one row per change."
		}
		for _, l := range e.Lists {
			if l.Table == table {
				return "The items of the `" + l.Column + "` column of " + from + ", one row per item."
			}
		}
		for _, h := range e.Headers {
			if h.Table == table {
				return "Derived from " + from + ": one row per `" + h.Columns[0] + "`, written with its first line."
			}
		}
	}
	return ""
}

// createRE finds the tables and views of a schema text.
var createRE = regexp.MustCompile(`^CREATE (?:TABLE IF NOT EXISTS|OR REPLACE VIEW) (\w+)`)

// SchemaComments returns, by table name, the "--" comment lines right before each
// CREATE TABLE or CREATE VIEW of a schema text, joined into one paragraph.
func SchemaComments(schema string) map[string]string {
	out := map[string]string{}
	var block []string
	for _, line := range strings.Split(schema, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "--"):
			block = append(block, strings.TrimSpace(strings.TrimPrefix(t, "--")))
		case createRE.MatchString(t):
			if len(block) > 0 {
				out[createRE.FindStringSubmatch(t)[1]] = strings.Join(block, " ")
			}
			block = nil
		default:
			block = nil
		}
	}
	return out
}

// shared returns the names of the tables both databases hold alike that carry no
// source lineage: the journal and bookkeeping tables, documented once. It errs when
// they differ between the databases, which one section could not describe.
func shared(ds []Domain) ([]string, error) {
	var names []string
	for _, t := range ds[0].Catalog.Tables {
		if t.View || t.Column("source_file") != nil {
			continue
		}
		in := true
		for _, d := range ds[1:] {
			o := d.Catalog.Table(t.Name)
			if o == nil {
				in = false
				break
			}
			if !reflect.DeepEqual(*o, t) {
				return nil, fmt.Errorf("table %s differs between the %s and %s databases", t.Name, ds[0].Name, d.Name)
			}
		}
		if in {
			names = append(names, t.Name)
		}
	}
	return names, nil
}

// Database returns docs/database.md for the databases ds (in the order given).
func Database(ds []Domain) (string, error) {
	common, err := shared(ds)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# The databases\n\n")
	w("<!-- Generated from the live schema by `scripts/docs.sh` (pkg/docgen); do not edit by hand. -->\n\n")
	var files []string
	for _, d := range ds {
		if d.Model != nil {
			files = append(files, fmt.Sprintf("`%s` for %s", d.Model.SchemaFile, d.Name))
		}
	}
	w("Each domain has a database of its own, built by the ordered schema steps embedded in the\n")
	w("programs (`pkg/schema/migrations/`). Their readable sum is `%s` (the journal tables every\n", domain.JournalSchemaFile)
	w("database holds) followed by the domain's own file: %s.\n", strings.Join(files, ", "))
	w("This page is generated from `information_schema` of a database those steps built: a test\n")
	w("fails when it differs from what the schema gives, and `scripts/docs.sh` writes it again.\n")
	w("How values get into these tables is in [formats.md](formats.md), the rules they obey in\n")
	w("[rules.md](rules.md).\n\n")
	for _, d := range ds {
		w("- [%s](#%s): the diagram, then every table\n", d.Name, d.Name)
	}
	w("- [Lineage columns](#lineage-columns): where each business row came from\n")
	w("- [Journal tables](#journal-tables): runs, files, batches, rejections, schema steps (both databases)\n\n")
	w("Diagrams: Mermaid below (GitHub and GitLab draw it); the same as SVG for other readers, drawn\n")
	w("by Graphviz from the `.dot` files beside this page. Both leave out the lineage columns,\n")
	w("which every business table has.\n\n")

	for _, d := range ds {
		tables := d.tables(common)
		w("## %s\n\n", d.Name)
		w("![%s tables](database_%s.svg)\n\n", d.Name, d.Name)
		w("```mermaid\n%s```\n\n", mermaid(tables, true))
		for _, t := range tables {
			writeTable(&b, t, strings.TrimSpace(d.Comments[t.Name]+" "+d.source(t.Name)))
		}
	}

	w("## Lineage columns\n\n")
	w("Every business table (every table above) has these columns; they are filled by the run\n")
	w("that writes the row, in the same transaction, and checked by validate (`lineage` checks).\n\n")
	w("| column | meaning |\n|---|---|\n")
	for _, c := range LineageColumns {
		w("| `%s` | %s |\n", c, lineageMeaning[c])
	}
	w("\n")

	w("## Journal tables\n\n")
	w("Both databases hold these tables alike. Every run of every program is a `journal` row;\n")
	w("the files it read are `journal_files`, each committed batch a `journal_batches` row; the\n")
	w("rows kept out of the business tables are `rejections` (codes as in [rules.md](rules.md)).\n\n")
	var jt []mariadb.Table
	for _, n := range common {
		jt = append(jt, *ds[0].Catalog.Table(n))
	}
	w("```mermaid\n%s```\n\n", mermaid(jt, false))
	for _, t := range jt {
		writeTable(&b, t, ds[0].Comments[t.Name])
	}
	return strings.TrimRight(b.String(), "\n") + "\n", nil
}

// writeTable writes one table's section: its comment, columns, keys, references and checks.
func writeTable(b *strings.Builder, t mariadb.Table, comment string) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	kind := ""
	if t.View {
		kind = " (view)"
	}
	w("### %s%s\n\n", t.Name, kind)
	if comment != "" {
		w("%s\n\n", comment)
	}
	keys := columnKeys(t)
	w("| column | type | null | default | key | lineage |\n|---|---|---|---|---|---|\n")
	for _, c := range t.Columns {
		null := "NOT NULL"
		if c.Nullable {
			null = "NULL"
		}
		def := c.Default
		if c.Extra != "" {
			def = strings.TrimSpace(def + " " + c.Extra)
		}
		lin := ""
		if isLineage(c.Name) && !t.View {
			lin = "yes"
		}
		w("| `%s` | %s | %s | %s | %s | %s |\n", c.Name, c.Type, null, cell(def), strings.Join(keys[c.Name], ", "), lin)
	}
	w("\n")
	if len(t.Indexes) > 0 {
		w("Keys:\n\n")
		for _, ix := range t.Indexes {
			switch {
			case ix.Name == "PRIMARY":
				w("- primary key (%s)\n", strings.Join(ix.Columns, ", "))
			case ix.Unique:
				w("- unique `%s` (%s)\n", ix.Name, strings.Join(ix.Columns, ", "))
			default:
				w("- index `%s` (%s)\n", ix.Name, strings.Join(ix.Columns, ", "))
			}
		}
		w("\n")
	}
	if len(t.Foreign) > 0 {
		w("Foreign keys:\n\n")
		for _, f := range t.Foreign {
			del := ""
			if f.OnDelete != "" && f.OnDelete != "RESTRICT" && f.OnDelete != "NO ACTION" {
				del = ", on delete " + strings.ToLower(f.OnDelete)
			}
			w("- `%s` (%s) → [%s](#%s) (%s)%s\n", f.Name, strings.Join(f.Columns, ", "), f.RefTable, f.RefTable,
				strings.Join(f.RefColumns, ", "), del)
		}
		w("\n")
	}
	if len(t.Checks) > 0 {
		w("Check constraints:\n\n| constraint | holds when |\n|---|---|\n")
		for _, c := range t.Checks {
			w("| `%s` | %s |\n", c.Name, code(c.Clause))
		}
		w("\n")
	}
	if t.View {
		w("Definition:\n\n```sql\n%s\n```\n\n", t.Definition)
	}
}

// columnKeys returns, by column, the kinds of key it belongs to: PK, FK, UK.
func columnKeys(t mariadb.Table) map[string][]string {
	keys := map[string][]string{}
	add := func(col, k string) {
		if !slices.Contains(keys[col], k) {
			keys[col] = append(keys[col], k)
		}
	}
	for _, ix := range t.Indexes {
		for _, c := range ix.Columns {
			switch {
			case ix.Name == "PRIMARY":
				add(c, "PK")
			case ix.Unique:
				add(c, "UK")
			}
		}
	}
	for _, f := range t.Foreign {
		for _, c := range f.Columns {
			add(c, "FK")
		}
	}
	for c, k := range keys {
		slices.SortFunc(k, func(a, b string) int { return strings.Index("PKFKUK", a) - strings.Index("PKFKUK", b) })
		keys[c] = k
	}
	return keys
}

// baseType is a column type without its size: varchar(150) gives varchar.
func baseType(t string) string {
	t, _, _ = strings.Cut(t, "(")
	t, _, _ = strings.Cut(t, " ")
	return t
}

// mermaid returns an erDiagram of tables and the references between them; withoutLineage
// leaves the lineage columns out.
func mermaid(tables []mariadb.Table, withoutLineage bool) string {
	var b strings.Builder
	b.WriteString("erDiagram\n")
	for _, t := range tables {
		keys := columnKeys(t)
		fmt.Fprintf(&b, "  %s {\n", t.Name)
		for _, c := range t.Columns {
			if withoutLineage && isLineage(c.Name) {
				continue
			}
			line := "    " + baseType(c.Type) + " " + c.Name
			if k := keys[c.Name]; len(k) > 0 {
				line += " " + strings.Join(k, ", ")
			}
			var notes []string
			if c.Type != baseType(c.Type) {
				notes = append(notes, c.Type)
			}
			if c.Nullable {
				notes = append(notes, "null")
			}
			if len(notes) > 0 {
				line += ` "` + strings.Join(notes, " ") + `"`
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("  }\n")
	}
	names := map[string]bool{}
	for _, t := range tables {
		names[t.Name] = true
	}
	for _, t := range tables {
		for _, f := range t.Foreign {
			if !names[f.RefTable] {
				continue
			}
			fmt.Fprintf(&b, "  %s %s %s : \"%s\"\n", f.RefTable, cardinality(t, f), t.Name, strings.Join(f.Columns, ", "))
		}
	}
	return b.String()
}

// cardinality is the Mermaid relation from the parent of f to t: one parent (or none,
// when a column of the key may be NULL) to many children, or to at most one when the
// key's columns are unique in t.
func cardinality(t mariadb.Table, f mariadb.ForeignKey) string {
	parent := "||"
	for _, c := range f.Columns {
		if col := t.Column(c); col != nil && col.Nullable {
			parent = "|o"
		}
	}
	child := "o{"
	for _, ix := range t.Indexes {
		if ix.Unique && slices.Equal(ix.Columns, f.Columns) {
			child = "o|"
		}
	}
	return parent + "--" + child
}

// Dot returns the Graphviz source of domain d's diagram: its business tables (lineage
// columns left out) and views, with an arrow from each reference to the key it names.
func Dot(d Domain, common []string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("// Generated from the live schema by scripts/docs.sh (pkg/docgen); do not edit by hand.\n")
	w("digraph %s {\n", d.Name)
	w("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.4, ranksep=0.9, label=\"%s database (lineage columns left out)\", labelloc=t];\n", d.Name)
	w("  node [shape=plain, fontname=\"Helvetica\", fontsize=10];\n")
	w("  edge [arrowhead=crow, arrowtail=tee, dir=both, color=\"#555555\", fontname=\"Helvetica\", fontsize=9];\n")
	tables := d.tables(common)
	for _, t := range tables {
		keys := columnKeys(t)
		head, style := "#dfe8f5", ""
		if t.View {
			head, style = "#eeeeee", " style=\"dashed\""
		}
		title := t.Name
		if t.View {
			title += " (view)"
		}
		w("  %s [label=<<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"3\"%s>\n", t.Name, style)
		w("    <tr><td bgcolor=\"%s\" colspan=\"3\"><b>%s</b></td></tr>\n", head, title)
		for _, c := range t.Columns {
			if isLineage(c.Name) {
				continue
			}
			name := c.Name
			if slices.Contains(keys[c.Name], "PK") {
				name = "<u>" + name + "</u>"
			}
			w("    <tr><td align=\"left\" port=\"w_%s\">%s</td><td align=\"left\">%s</td><td align=\"left\" port=\"e_%s\">%s</td></tr>\n",
				c.Name, name, c.Type, c.Name, strings.Join(keys[c.Name], " "))
		}
		w("  </table>>];\n")
	}
	for _, t := range tables {
		for _, f := range t.Foreign {
			// The arrow goes from the parent's key to the child's reference, so that
			// rankdir=LR puts parents on the left.
			w("  %s:e_%s:e -> %s:w_%s:w [tooltip=\"%s\"];\n", f.RefTable, f.RefColumns[0], t.Name, f.Columns[0], f.Name)
		}
	}
	w("}\n")
	return b.String()
}

// Shared returns the names of the journal tables ds have in common (see Database).
func Shared(ds []Domain) ([]string, error) { return shared(ds) }

// cell makes a value safe in a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// code puts s in a code span safe in a Markdown table cell.
func code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "\n", " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + cell(s) + pad + fence
}
