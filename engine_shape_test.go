package dmt

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEngineFunctionsShort holds the engine's centre to the shape docs/architecture.md
// promises: no function of pkg/migrate or pkg/check (tests aside) runs over 60 lines, so
// each step of a run reads on one screen.
func TestEngineFunctionsShort(t *testing.T) {
	const most = 60
	for _, dir := range []string{"pkg/migrate", "pkg/check"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		fset := token.NewFileSet()
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				if n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1; n > most {
					t.Errorf("%s: %s is %d lines long; split it into steps (at most %d)", file, fd.Name.Name, n, most)
				}
			}
		}
	}
}

// TestImportGraph holds the layers of docs/architecture.md: the store imports no engine
// or program package, no library imports pkg/cli (the programs' layer; progtest, which
// runs the programs in tests, aside), and the engines reach the store only through their
// ports.
func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}:{{join .Deps " "}}`, "./pkg/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, list, _ := strings.Cut(line, ":")
		deps[strings.TrimPrefix(pkg, "dmt/")] = strings.Fields(list)
	}
	forbidden := func(pkg string, not ...string) {
		if _, ok := deps[pkg]; !ok {
			t.Errorf("no package %s", pkg)
		}
		for _, d := range deps[pkg] {
			for _, n := range not {
				if d == "dmt/"+n {
					t.Errorf("%s depends on %s", pkg, n)
				}
			}
		}
	}
	forbidden("pkg/mariadb", "pkg/migrate", "pkg/validate", "pkg/rapport", "pkg/report", "pkg/check", "pkg/cli")
	forbidden("pkg/migrate", "pkg/mariadb", "pkg/cli")
	forbidden("pkg/validate", "pkg/mariadb", "pkg/cli")
	forbidden("pkg/rapport", "pkg/mariadb", "pkg/cli")
	for pkg := range deps {
		if pkg != "pkg/cli" && pkg != "pkg/progtest" {
			forbidden(pkg, "pkg/cli")
		}
	}
}

// TestReadOnlyProgramsOpenAlike: the programs that only read the database open, name and
// check it through cli.OpenRead and journal their run through its Record, so that they
// refuse a wrong database alike and the sequence is not written again in each.
func TestReadOnlyProgramsOpenAlike(t *testing.T) {
	for _, prog := range []string{"validate", "analyse_stock", "export_sql", "rapport"} {
		src, err := os.ReadFile(filepath.Join("cmd", prog, "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), "cli.OpenRead(") {
			t.Errorf("cmd/%s does not open its database with cli.OpenRead", prog)
		}
		for _, own := range []string{"mariadb.Open(", ".CheckReadable(", ".StartRun(", "redact.Args("} {
			if strings.Contains(string(src), own) {
				t.Errorf("cmd/%s calls %s itself; cli.OpenRead and ReadRun.Record do it", prog, own)
			}
		}
	}
}
