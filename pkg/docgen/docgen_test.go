package docgen_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"dmt"
	"dmt/pkg/docgen"
	"dmt/pkg/domain"
	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

var update = flag.Bool("update", false, "rewrite the generated files of docs/ instead of comparing them")

var (
	liveOnce sync.Once
	live     []docgen.Domain
	liveErr  error
)

// liveDomains builds a fresh database per domain with the embedded schema steps, as
// migration does, and reads its catalog. The databases are dropped at the end of the
// first test that asked (the catalogs stay).
func liveDomains(t *testing.T) []docgen.Domain {
	t.Helper()
	liveOnce.Do(func() {
		for _, name := range domain.Names() {
			text, err := dmt.ReadableSchema(domain.ByName(name).SchemaFiles()...)
			if err != nil {
				liveErr = err
				return
			}
			comments := docgen.SchemaComments(text)
			ctx := context.Background()
			db, err := mariadb.Open(ctx, mariadbtest.NewDatabase(t))
			if err != nil {
				liveErr = err
				return
			}
			defer db.Close()
			if err := db.Migrate(ctx, name, "docgen"); err != nil {
				liveErr = err
				return
			}
			cat, err := db.ReadCatalog(ctx)
			if err != nil {
				liveErr = err
				return
			}
			live = append(live, docgen.Domain{Name: name, Catalog: cat, Comments: comments, Model: domain.ByName(name)})
		}
	})
	if liveErr != nil {
		t.Fatal(liveErr)
	}
	if live == nil {
		t.Skip("no database")
	}
	return live
}

// golden compares got with the committed file docs/<name>, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	root, err := mariadbtest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "docs", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run scripts/docs.sh)", err)
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < len(wl) || i < len(gl); i++ {
			var a, b string
			if i < len(wl) {
				a = wl[i]
			}
			if i < len(gl) {
				b = gl[i]
			}
			if a != b {
				t.Fatalf("docs/%s is out of date (run scripts/docs.sh); first difference at line %d:\ncommitted: %s\ngenerated: %s", name, i+1, a, b)
			}
		}
	}
}

// TestDatabaseDoc holds docs/database.md and the diagrams' Graphviz sources to the
// schema the embedded steps build. The SVGs are drawn from the .dot files by
// scripts/docs.sh (dot is not needed here): each must name every table and column of
// its .dot, so a stale SVG fails too.
func TestDatabaseDoc(t *testing.T) {
	t.Parallel()
	ds := liveDomains(t)
	md, err := docgen.Database(ds)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "database.md", md)
	common, err := docgen.Shared(ds)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := mariadbtest.RepoRoot()
	port := regexp.MustCompile(`port="w_(\w+)"`)
	for _, d := range ds {
		src := docgen.Dot(d, common)
		golden(t, "database_"+d.Name+".dot", src)
		if *update {
			continue
		}
		svg, err := os.ReadFile(filepath.Join(root, "docs", "database_"+d.Name+".svg"))
		if err != nil {
			t.Fatalf("%v (run scripts/docs.sh)", err)
		}
		for _, m := range port.FindAllStringSubmatch(src, -1) {
			if !strings.Contains(string(svg), ">"+m[1]+"<") {
				t.Errorf("docs/database_%s.svg does not show column %s: redraw it with scripts/docs.sh", d.Name, m[1])
			}
		}
		for _, tb := range d.Catalog.Tables {
			if !strings.Contains(string(svg), "<title>"+tb.Name+"</title>") && !containsName(common, tb.Name) {
				t.Errorf("docs/database_%s.svg does not show table %s: redraw it with scripts/docs.sh", d.Name, tb.Name)
			}
		}
	}
}

func containsName(names []string, n string) bool {
	for _, s := range names {
		if s == n {
			return true
		}
	}
	return false
}

// TestRulesDoc holds docs/rules.md to the rules catalogue, the domains and the
// constraints of the live schema: a new code, rule or constraint changes the page, and
// a code without its documentation in codeDocs fails here.
func TestRulesDoc(t *testing.T) {
	t.Parallel()
	md, err := docgen.Rules(liveDomains(t))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "rules.md", md)
}
