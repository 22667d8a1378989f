package docgen

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/model"
	"dmt/pkg/rules"
	"dmt/pkg/validate"
)

// exampleToday is "today" for the examples of rules.md, so the page does not change with
// the date.
var exampleToday = model.Date{Year: 2026, Month: 11, Day: 15}

// enforcement is one place a code is decided: a column or rule of an entity, in its Go
// form, in the database, and in validate.
type enforcement struct {
	Domain, Where, Go, DB, Validate string
}

// ruleWriter gathers, for every code, where each domain enforces it, and remembers which
// database constraints it attached to a rule.
type ruleWriter struct {
	byCode map[rules.Code][]enforcement
	used   map[string]bool // "table.constraint"
}

// Rules returns docs/rules.md for the databases ds. It fails, naming them, when a code of
// rules.Catalogue has no documentation in codeDocs, when codeDocs names a code the
// catalogue lacks, or when an example does not get its code from the Go rules.
func Rules(ds []Domain) (string, error) {
	if err := checkCodeDocs(); err != nil {
		return "", err
	}
	rw := &ruleWriter{byCode: map[rules.Code][]enforcement{}, used: map[string]bool{}}
	for _, d := range ds {
		if d.Model == nil {
			return "", fmt.Errorf("domain %s: no model", d.Name)
		}
		rw.domain(d)
	}
	common, err := shared(ds)
	if err != nil {
		return "", err
	}

	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Rules and rejection codes\n\n")
	w("<!-- Generated from pkg/rules and pkg/domain by `scripts/docs.sh` (pkg/docgen); do not edit by hand. -->\n\n")
	w("Every rule is written once, in `pkg/rules`, and handed to the programs through the domains\n")
	w("(`pkg/domain`): migration and reprise apply its Go form to each row they read; validate applies\n")
	w("its SQL form to the whole database; and the database holds what it can as constraints, so a row\n")
	w("written by any other means is held to it too ([database.md](database.md)). Each rule that a row\n")
	w("breaks gives a stable code, the same in logs, reports, rejected-row files (`_errors`) and the\n")
	w("`rejections` table. This page is generated from that code: a test fails when it is out of date,\n")
	w("and a code cannot be added without its meaning and an example here.\n\n")
	w("Examples of dates take 2026-11-15 as today.\n\n")
	w("## Summary\n\n| code | what it means | example | reprise |\n|---|---|---|---|\n")
	for _, c := range codeDocs {
		what := rules.Describe(c.Code)
		switch {
		case c.Ignored:
			what += " (row ignored, not rejected)"
		case c.Header:
			what += " (header)"
		}
		w("| [%s](#%s) | %s | %s | %s |\n", c.Code, strings.ToLower(string(c.Code)), cell(what), cell(c.example()), repairable(c))
	}
	w("\n## Codes\n\n")
	for _, c := range codeDocs {
		w("### %s\n\n%s\n\n", c.Code, c.Meaning)
		w("Example: %s.\n\n", c.example())
		if c.Where != "" {
			w("Decided by: %s\n\n", c.Where)
		}
		if es := rw.byCode[c.Code]; len(es) > 0 {
			w("| domain | where | rule (Go: migration, reprise) | database | validate |\n|---|---|---|---|---|\n")
			for _, e := range es {
				w("| %s | %s | %s | %s | %s |\n", e.Domain, e.Where, cell(e.Go), orDash(e.DB), orDash(e.Validate))
			}
			w("\n")
		}
		w("Reprise: %s\n\n", c.Reprise)
	}

	w("## Reprise's repairs\n\n")
	w("Reprise reads a row as migration does; a value migration refuses is repaired only when it has\n")
	w("exactly one reading, and the row is then checked again with every rule. Each line below is run\n")
	w("through the code when this page is generated.\n\n")
	w("| field | value read | migration says | reprise writes | repair rule |\n|---|---|---|---|---|\n")
	for _, ex := range repairExamples {
		line, err := repairLine(ds, ex.Entity, ex.Column, ex.Value)
		if err != nil {
			return "", err
		}
		w("%s\n", line)
	}
	w("\n")

	w("## Whole-database checks\n\n")
	w("validate runs these checks, one set-based query each, in this order; a `warn` check reports\n")
	w("without failing. Besides them it checks that the latest migration and reprise runs finished and\n")
	w("that the tables are not all empty.\n\n")
	for _, d := range ds {
		w("### %s checks\n\n| check | kind | on failure | holds when |\n|---|---|---|---|\n", d.Name)
		for _, c := range docChecks(d.Model) {
			sev := "fail"
			if c.Warn {
				sev = "warn"
			}
			w("| `%s` | %s | %s | %s |\n", cell(c.Name), c.Kind, sev, cell(c.Description))
		}
		w("\n")
		for _, c := range d.Model.Checks {
			w("`%s`:\n\n```sql\n%s\n```\n\n", c.Name, c.Query)
		}
	}

	w("## Constraints without a rejection code\n\n")
	w("The database constraints that no row rule above stands for: they guard the journal and the\n")
	w("tables the programs derive (movements, order headers, list items), which no input row fills as it is.\n\n")
	w("| table | constraint | holds when |\n|---|---|---|\n")
	seen := map[string]bool{}
	for _, d := range ds {
		for _, t := range d.Catalog.Tables {
			if seen[t.Name] {
				continue
			}
			if slices.Contains(common, t.Name) {
				seen[t.Name] = true
			}
			for _, line := range rw.leftovers(t) {
				w("%s\n", line)
			}
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n", nil
}

// checkCodeDocs holds codeDocs to the catalogue and each example to the Go rules.
func checkCodeDocs() error {
	var errs []error
	documented := map[rules.Code]bool{}
	for _, c := range codeDocs {
		documented[c.Code] = true
		if rules.Describe(c.Code) == "" {
			errs = append(errs, fmt.Errorf("pkg/docgen codeDocs: %s is not in rules.Catalogue", c.Code))
		}
		if c.Example == "" || c.Meaning == "" || c.Reprise == "" {
			errs = append(errs, fmt.Errorf("pkg/docgen codeDocs: %s needs a meaning, an example and what reprise does", c.Code))
		}
		if err := c.verify(); err != nil {
			errs = append(errs, err)
		}
	}
	var missing []string
	for code := range rules.Catalogue {
		if !documented[code] {
			missing = append(missing, string(code))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		errs = append(errs, fmt.Errorf("code %s has no documentation: add it to codeDocs in pkg/docgen/codes.go (meaning, example rejected value, where, reprise)", m))
	}
	return errors.Join(errs...)
}

// verify runs the example through the Go rules when it names a field or a row.
func (c codeDoc) verify() error {
	if c.Entity == "" {
		return nil
	}
	var e *domain.Entity
	for _, name := range domain.Names() {
		if e = domain.ByName(name).Entity(c.Entity); e != nil {
			break
		}
	}
	if e == nil {
		return fmt.Errorf("codeDocs %s: no entity %s", c.Code, c.Entity)
	}
	if c.Column != "" {
		f := e.Field(c.Column)
		if f == nil {
			return fmt.Errorf("codeDocs %s: no column %s.%s", c.Code, c.Entity, c.Column)
		}
		_, v := f.Normalize(c.Value, exampleToday)
		if v == nil || v.Code != c.Code {
			return fmt.Errorf("codeDocs %s: %s.%s = %q gives %v, not %s", c.Code, c.Entity, c.Column, c.Value, v, c.Code)
		}
		return nil
	}
	row := mapRow(c.Row)
	for _, rr := range e.RowRules {
		if v := rr.Check(row); v != nil && v.Code == c.Code {
			return nil
		}
	}
	return fmt.Errorf("codeDocs %s: no row rule of %s gives it for %v", c.Code, c.Entity, c.Row)
}

type mapRow map[string]string

func (r mapRow) Get(col string) string { return r[col] }

func (c codeDoc) example() string {
	if c.Shown != "" {
		return strings.Replace(c.Example, c.Value, c.Shown, 1)
	}
	return c.Example
}

func repairable(c codeDoc) string {
	r := c.Reprise
	switch {
	case strings.HasPrefix(r, "Repaired"):
		return "repairs some"
	case strings.HasPrefix(r, "Ignored"), strings.HasPrefix(r, "Same"):
		return "as migration"
	case strings.HasPrefix(r, "Isolated"):
		return "isolates (or -update)"
	}
	return "isolates"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// repairLine runs one repair example through the code.
func repairLine(ds []Domain, entity, column, value string) (string, error) {
	var f *rules.Field
	for _, d := range ds {
		if e := d.Model.Entity(entity); e != nil {
			f = e.Field(column)
		}
	}
	if f == nil {
		return "", fmt.Errorf("repair example: no field %s.%s", entity, column)
	}
	shown := strings.ReplaceAll(value, "\u200b", "<U+200B>")
	_, v := f.Normalize(value, exampleToday)
	if v == nil {
		return "", fmt.Errorf("repair example %s.%s = %q: migration accepts it, nothing to repair", entity, column, value)
	}
	fixed, rule, ok, err := f.Repair(value)
	stored, v2 := f.Normalize(fixed, exampleToday)
	after := "`" + cell(stored) + "`"
	switch {
	case err != nil:
		after, rule = "isolated: "+cell(strings.ReplaceAll(err.Error(), "\u200b", "<U+200B>")), "—"
	case !ok:
		after, rule = "isolated: no single reading", "—"
	case v2 != nil:
		after = "isolated: " + string(v2.Code) + " after " + rule
	}
	return fmt.Sprintf("| %s.%s | `%s` | %s | %s | %s |", entity, column, cell(shown), v.Code, after, rule), nil
}

var identRE = regexp.MustCompile("`([^`]+)`")

// clauseColumns returns the sorted columns a check clause names.
func clauseColumns(clause string) []string {
	var cols []string
	for _, m := range identRE.FindAllStringSubmatch(clause, -1) {
		if !slices.Contains(cols, m[1]) {
			cols = append(cols, m[1])
		}
	}
	sort.Strings(cols)
	return cols
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

// checksOn returns the names of t's check constraints over exactly cols, marking them used.
func (rw *ruleWriter) checksOn(t *mariadb.Table, cols ...string) []string {
	if t == nil {
		return nil
	}
	var out []string
	for _, c := range t.Checks {
		if sameSet(clauseColumns(c.Clause), cols) {
			out = append(out, "`"+c.Name+"`")
			rw.used[t.Name+"."+c.Name] = true
		}
	}
	return out
}

// uniqueOn returns the unique key of t over exactly cols ("" when none), marking it used.
func (rw *ruleWriter) uniqueOn(t *mariadb.Table, cols []string) string {
	if t == nil {
		return ""
	}
	for _, ix := range t.Indexes {
		if ix.Unique && sameSet(ix.Columns, cols) {
			rw.used[t.Name+"."+ix.Name] = true
			if ix.Name == "PRIMARY" {
				return "primary key (" + strings.Join(ix.Columns, ", ") + ")"
			}
			return "unique `" + ix.Name + "`"
		}
	}
	return ""
}

// foreignOn returns the foreign key of t holding col, preferring one to parent.
func (rw *ruleWriter) foreignOn(t *mariadb.Table, col, parent string) string {
	if t == nil {
		return ""
	}
	var found *mariadb.ForeignKey
	for i, f := range t.Foreign {
		if slices.Contains(f.Columns, col) && (found == nil || f.RefTable == parent) {
			found = &t.Foreign[i]
		}
	}
	if found == nil {
		return ""
	}
	rw.used[t.Name+"."+found.Name] = true
	s := "`" + found.Name + "`"
	if found.RefTable != parent {
		s += " (through " + found.RefTable + ")"
	}
	return s
}

// domain gathers where d enforces each code.
func (rw *ruleWriter) domain(d Domain) {
	names := map[string]bool{}
	for _, c := range docChecks(d.Model) {
		names[c.Name] = true
	}
	check := func(name, sql string) string {
		if !names[name] {
			return ""
		}
		s := code(name)
		if sql != "" {
			s += "<br>" + code(sql)
		}
		return s
	}
	add := func(c rules.Code, e enforcement) {
		e.Domain = d.Name
		rw.byCode[c] = append(rw.byCode[c], e)
	}
	for _, e := range d.Model.Entities {
		t := d.Catalog.Table(e.Name)
		keyCols := e.Key
		for i := range e.Fields {
			f := &e.Fields[i]
			where := "`" + e.Name + "." + f.Name + "`"
			sqls := map[rules.Code]string{}
			words := map[rules.Code]string{}
			for _, sc := range f.SQL("c."+rules.QuoteIdent(f.Name), docToday) {
				sqls[sc.Code], words[sc.Code] = undate(sc.Valid), strings.TrimPrefix(undate(sc.Rule), "is ")
			}
			var col *mariadb.Column
			if t != nil {
				col = t.Column(f.Name)
			}
			colType := ""
			if col != nil {
				colType = "type " + col.Type
			}
			for _, c := range fieldCodes(f) {
				e2 := enforcement{Where: where, Go: fieldWords(f, c, words[c])}
				switch c {
				case rules.MissingRequired:
					var db []string
					if col != nil && !col.Nullable {
						db = append(db, "NOT NULL")
					}
					if f.Kind == rules.Text {
						db = append(db, rw.checksOn(t, f.Name)...)
					}
					e2.DB = strings.Join(db, ", ")
				case rules.TooLong, rules.BadInteger, rules.BadDecimal, rules.BadDate:
					e2.DB = colType
					if l := e.List(f.Name); l != nil {
						if lt := d.Catalog.Table(l.Table); lt != nil && lt.Column(l.ItemColumn) != nil {
							e2.DB = "`" + l.Table + "." + l.ItemColumn + "` type " + lt.Column(l.ItemColumn).Type
						}
					}
				case rules.OutOfRange, rules.BadEmail, rules.BadEnum:
					e2.DB = strings.Join(rw.checksOn(t, f.Name), ", ")
					if c == rules.OutOfRange && f.Kind == rules.Decimal {
						e2.DB = strings.TrimPrefix(strings.Join([]string{e2.DB, colType}, ", "), ", ")
					}
				}
				e2.Validate = check(e.Name+"."+f.Name+" "+string(c), sqls[c])
				add(c, e2)
			}
		}
		for _, rr := range e.RowRules {
			add(rr.Code, enforcement{Where: "`" + e.Name + "`: " + strings.Join(rr.Columns, ", "), Go: rr.Description,
				DB: strings.Join(rw.checksOn(t, rr.Columns...), ", "), Validate: check(e.Name+" "+rr.Name, rr.SQL)})
		}
		for _, pc := range e.ParentRules {
			add(pc.Rule.Code, enforcement{Where: "`" + e.Name + "` and its " + pc.Ref.Parent, Go: pc.Rule.Description,
				Validate: check(e.Name+" "+pc.Rule.Name, strings.TrimPrefix(pc.Rule.Join+" WHERE ", " WHERE ")+pc.Rule.SQL)})
		}
		for _, ref := range e.Refs {
			add(rules.UnknownReference, enforcement{Where: "`" + e.Name + "." + ref.Column + "`",
				Go: ref.Column + " names a row of " + ref.Parent + " in the database or read before in the run",
				DB: rw.foreignOn(t, ref.Column, ref.Parent), Validate: check(e.Name+"."+ref.Column+" -> "+ref.Parent, "")})
		}
		for _, u := range e.Uniques {
			if u.Warn {
				continue
			}
			add(u.Code, enforcement{Where: "`" + e.Name + "`: " + strings.Join(u.Columns, ", "),
				Go: "no two " + e.Name + " share " + strings.Join(u.Columns, " + ") + " (case and spaces aside), in the run and in the database",
				DB: rw.uniqueOn(t, u.Columns), Validate: check(e.Name+"."+strings.Join(u.Columns, "+")+" unique", "")})
		}
		key := strings.Join(keyCols, ", ")
		pk := rw.uniqueOn(t, keyCols)
		add(rules.DuplicateRow, enforcement{Where: "`" + e.Name + "`: " + key, Go: "a second identical row with the same key in the run", DB: pk})
		add(rules.DuplicateKeyConflict, enforcement{Where: "`" + e.Name + "`: " + key,
			Go: "a row with the key of another row (in the run or the database) and other content",
			DB: pk, Validate: check(e.Name+"."+e.KeyName()+" unique", "")})
		for _, cs := range e.Consistent {
			var db []string
			for _, h := range e.Headers {
				if s := rw.uniqueOn(d.Catalog.Table(h.Table), h.Columns); s != "" {
					db = append(db, "`"+h.Table+"` "+s)
				}
			}
			if s := rw.foreignOn(t, cs.Columns[0], ""); s != "" {
				db = append(db, s)
			}
			add(rules.DuplicateKeyConflict, enforcement{Where: "`" + e.Name + "`: " + cs.Key,
				Go: "rows with the same " + cs.Key + " agree on " + strings.Join(cs.Columns, ", "), DB: strings.Join(db, ", ")})
		}
		add(rules.AlreadyLoaded, enforcement{Where: "`" + e.Name + "`: " + key, Go: "a row identical to the stored row of its key", DB: pk})
	}
}

// fieldCodes are the codes a field's Go check can give, in the order it checks.
func fieldCodes(f *rules.Field) []rules.Code {
	var cs []rules.Code
	if f.Required {
		cs = append(cs, rules.MissingRequired)
	}
	if f.Kind == rules.Text || f.Kind == rules.List {
		cs = append(cs, rules.BadText)
	}
	if f.MaxLen > 0 {
		cs = append(cs, rules.TooLong)
	}
	switch f.Kind {
	case rules.Email:
		cs = append(cs, rules.BadEmail)
	case rules.Integer:
		cs = append(cs, rules.BadInteger)
	case rules.Decimal:
		cs = append(cs, rules.BadDecimal)
	case rules.Date:
		cs = append(cs, rules.BadDate)
		if f.NotFuture {
			cs = append(cs, rules.DateInFuture)
		}
	case rules.Enum:
		cs = append(cs, rules.BadEnum)
	case rules.List:
		cs = append(cs, rules.BadList)
	}
	if (f.Kind == rules.Integer || f.Kind == rules.Decimal) && (f.Min != nil || f.Max != nil || f.Kind == rules.Decimal) {
		cs = append(cs, rules.OutOfRange)
	}
	return cs
}

// fieldWords says a field's rule for code in words; sqlWords is what its SQL form says.
func fieldWords(f *rules.Field, c rules.Code, sqlWords string) string {
	switch c {
	case rules.MissingRequired:
		return "required"
	case rules.BadText:
		return "no control or invisible character"
	case rules.TooLong:
		if f.Kind == rules.List {
			return fmt.Sprintf("each item at most %d characters", f.MaxLen)
		}
		return fmt.Sprintf("at most %d characters", f.MaxLen)
	case rules.BadEmail:
		return "an ASCII e-mail address, stored trimmed and lower-case"
	case rules.BadInteger:
		return "a whole number"
	case rules.BadDecimal:
		return fmt.Sprintf("a decimal number, at most %d decimals (`,` or `.`; not `1,000`)", f.Scale)
	case rules.BadDate:
		return "a date: YYYY-MM-DD, DD/MM/YYYY, DD-MM-YYYY, YYYY/MM/DD or an ISO date-time"
	case rules.DateInFuture:
		return "not after today"
	case rules.BadEnum:
		return "one of " + strings.Join(f.Values, ", ")
	case rules.BadList:
		return "items separated by |, none holding , ; or /, none twice with different case"
	case rules.OutOfRange:
		s := sqlWords
		if f.Kind == rules.Decimal {
			s = strings.TrimPrefix(strings.Join([]string{s, fmt.Sprintf("at most %d digits before the point", f.Precision-f.Scale)}, ", "), ", ")
		}
		return s
	}
	return ""
}

// leftovers returns the table lines of t's constraints no rule was attached to.
func (rw *ruleWriter) leftovers(t mariadb.Table) []string {
	var out []string
	for _, c := range t.Checks {
		if !rw.used[t.Name+"."+c.Name] {
			out = append(out, fmt.Sprintf("| %s | `%s` | %s |", t.Name, c.Name, code(c.Clause)))
		}
	}
	for _, ix := range t.Indexes {
		if ix.Unique && ix.Name != "PRIMARY" && !rw.used[t.Name+"."+ix.Name] {
			out = append(out, fmt.Sprintf("| %s | `%s` | unique (%s) |", t.Name, ix.Name, strings.Join(ix.Columns, ", ")))
		}
	}
	for _, f := range t.Foreign {
		if !rw.used[t.Name+"."+f.Name] {
			out = append(out, fmt.Sprintf("| %s | `%s` | (%s) exists in %s (%s) |", t.Name, f.Name, strings.Join(f.Columns, ", "),
				f.RefTable, strings.Join(f.RefColumns, ", ")))
		}
	}
	return out
}

// docToday stands for the date a run takes as today: validate passes it to its SQL as a
// literal, which the documentation shows as 'TODAY' (undate) rather than a fixed day.
var docToday = model.Date{Year: 9999, Month: 12, Day: 31}

// undate writes docToday as the words the documentation uses for it.
func undate(s string) string {
	return strings.NewReplacer("DATE '9999-12-31'", "DATE 'TODAY'", "(9999-12-31)", "(the run's date)").Replace(s)
}

// docChecks are validate's checks of d with their SQL as documented (see undate).
func docChecks(d *domain.Domain) []validate.Check {
	checks := validate.Checks(d, docToday)
	for i := range checks {
		checks[i].Query = undate(checks[i].Query)
		checks[i].Description = undate(checks[i].Description)
	}
	return checks
}
