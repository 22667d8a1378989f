// Package schema holds the databases' schemas as ordered, named steps (migrations),
// embedded in every binary. A deployed database records each step it has applied in its
// schema_version table; a writing program applies the steps it lacks, a read-only one
// refuses a database whose steps differ from those it knows.
//
// A step is a file migrations/NNNN_SCOPE_NAME.sql, where SCOPE is "journal" (the tables
// every domain shares) or a domain's name. A domain's steps are the journal's and its
// own, in number order; the domains are those registered in pkg/domain (a test there
// holds every scope to the journal or a registered domain). A released step is never
// edited: a change is a new step. MariaDB commits DDL at once, so a step cannot be a
// transaction: every statement of a step must be safe to run again (CREATE TABLE IF NOT
// EXISTS, ADD COLUMN IF NOT EXISTS, ...), so that a step stopped half-way is finished by
// running it again. Each scope has a readable whole at the repository's root
// (schema_journal.sql for the journal; for a domain, the file it names: schema.sql,
// schema_distributech.sql), and a test holds what the steps build equal to it.
package schema

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var files embed.FS

// JournalScope is the scope of the steps every domain shares.
const JournalScope = "journal"

// Step is one migration: Name is its file name without .sql ("0004_journal_database_domain"),
// the name schema_version records.
type Step struct {
	Version int
	Scope   string
	Name    string
	SQL     string
}

// SHA256 is the hex digest of the step's text, recorded beside its name.
func (s Step) SHA256() string {
	sum := sha256.Sum256([]byte(s.SQL))
	return hex.EncodeToString(sum[:])
}

// Statements splits the step into statements: each ends with ';' at the end of a line;
// comment and blank lines are dropped.
func (s Step) Statements() []string { return Statements(s.SQL) }

var all = mustLoad()

func mustLoad() []Step {
	entries, err := files.ReadDir("migrations")
	if err != nil {
		panic(err)
	}
	var steps []Step
	seen := map[int]string{}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".sql")
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		scope, _, ok2 := strings.Cut(rest, "_")
		if !ok || !ok2 || err != nil || v <= 0 {
			panic("schema: bad step file name " + e.Name() + " (want NNNN_SCOPE_NAME.sql)")
		}
		if other, dup := seen[v]; dup {
			panic("schema: steps " + other + " and " + name + " share a number")
		}
		seen[v] = name
		text, err := files.ReadFile("migrations/" + e.Name())
		if err != nil {
			panic(err)
		}
		steps = append(steps, Step{Version: v, Scope: scope, Name: name, SQL: string(text)})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Version < steps[j].Version })
	return steps
}

// Steps returns the steps of domain in the order they apply: the journal's and the
// domain's own. It errs for a name with no step of its own.
func Steps(domain string) ([]Step, error) {
	var out []Step
	own := false
	for _, s := range all {
		if s.Scope == domain {
			own = true
		}
		if s.Scope == JournalScope || s.Scope == domain {
			out = append(out, s)
		}
	}
	if !own || domain == JournalScope {
		return nil, fmt.Errorf("no schema for domain %q", domain)
	}
	return out, nil
}

// Scoped returns the steps of scope alone ("journal", "clevity"), in order; none for an
// unknown scope.
func Scoped(scope string) []Step {
	var out []Step
	for _, s := range all {
		if s.Scope == scope {
			out = append(out, s)
		}
	}
	return out
}

// Scopes returns the scopes that have steps, each once, in the order of their first step.
func Scopes() []string {
	var out []string
	for _, s := range all {
		if !slices.Contains(out, s.Scope) {
			out = append(out, s.Scope)
		}
	}
	return out
}

// Named returns the step called name ("0010_journal_run_lease"), whatever its scope.
func Named(name string) (Step, bool) {
	for _, s := range all {
		if s.Name == name {
			return s, true
		}
	}
	return Step{}, false
}

// IsStepName reports whether a schema_version name is a step's ("0004_journal_x"), not
// a record of the single-text schemas used before steps ("clevity").
func IsStepName(name string) bool {
	num, _, ok := strings.Cut(name, "_")
	if !ok {
		return false
	}
	_, err := strconv.Atoi(num)
	return err == nil
}

// Statements splits SQL text into statements: each ends with ';' at the end of a line;
// comment ("--") and blank lines are dropped.
func Statements(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(strings.TrimRight(line, " \t\r"))
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
