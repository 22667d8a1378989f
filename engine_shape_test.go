package dmt

import (
	"go/ast"
	"go/parser"
	"go/token"
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
