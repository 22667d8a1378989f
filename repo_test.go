package dmt

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"dmt/pkg/domain"
)

// TestModTidy: go.mod and go.sum are what `go mod tidy` makes of the code, so a build
// never depends on a requirement marked indirect or a missing checksum. scripts/test.sh
// runs the same `go mod tidy -diff` before the tests.
func TestModTidy(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(goBin, "mod", "tidy", "-diff").CombinedOutput()
	switch {
	case err == nil:
	case strings.Contains(string(out), "diff "):
		t.Errorf("go mod tidy would change go.mod or go.sum (run: go mod tidy):\n%s", out)
	case os.Getenv("CI") == "":
		// Tidying reads the modules of the dependencies' tests too: offline, with a
		// module cache that lacks them, it cannot tell.
		t.Skipf("go mod tidy -diff could not run: %v\n%s", err, out)
	default:
		t.Errorf("go mod tidy -diff could not run: %v\n%s", err, out)
	}
}

// TestReadmeWritesUnderOut: every command the README shows writes under out/ (ignored by
// git), or into a file .gitignore names, so that following it leaves the working tree
// clean.
func TestReadmeWritesUnderOut(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	ignore, err := os.ReadFile(".gitignore")
	if err != nil {
		t.Fatal(err)
	}
	ignored := func(path string) bool {
		if path == "out" || strings.HasPrefix(path, "out/") || path == "-" {
			return true
		}
		for _, l := range strings.Split(string(ignore), "\n") {
			if strings.Trim(l, "/") == strings.Trim(path, "/") {
				return true
			}
		}
		return false
	}
	outFlag := regexp.MustCompile(`(?:^|\s)-out\s+(\S+)`)
	redirect := regexp.MustCompile(`[^2]>\s*([^\s);&|]+)`)
	inCode, commands := false, 0
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		if !inCode || !regexp.MustCompile(`(^|\s|\()(bin|scripts)/|^go build`).MatchString(line) {
			continue
		}
		commands++
		for _, m := range outFlag.FindAllStringSubmatch(line, -1) {
			if !ignored(m[1]) {
				t.Errorf("README: %q writes into %s, not under out/", line, m[1])
			}
		}
		for _, m := range redirect.FindAllStringSubmatch(line, -1) {
			if !ignored(m[1]) {
				t.Errorf("README: %q writes %s, not under out/ nor ignored", line, m[1])
			}
		}
	}
	if commands < 10 {
		t.Errorf("found %d commands in the README's code blocks; the parsing is off", commands)
	}
}

// TestReadableSchemasAreRegistered: each readable schema file at the root is the
// journal's or a registered domain's, so none is left behind when a domain goes, and
// each one named is embedded.
func TestReadableSchemasAreRegistered(t *testing.T) {
	named := []string{domain.JournalSchemaFile}
	for _, name := range domain.Names() {
		named = append(named, domain.ByName(name).SchemaFile)
	}
	files, err := filepath.Glob("schema*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !slices.Contains(named, f) {
			t.Errorf("%s is neither %s nor a registered domain's SchemaFile (pkg/domain/registry.go)", f, domain.JournalSchemaFile)
		}
	}
	for _, f := range named {
		if text, err := ReadableSchema(f); err != nil || !strings.Contains(text, "CREATE TABLE") {
			t.Errorf("ReadableSchema(%s): %v, or no table", f, err)
		}
	}
}

// TestDomainListsFollowTheRegistry: the manuals (cmd/*/doc.go, printed by -h, which go
// doc shows too, so they cannot be generated) and the pages that list the domains name
// exactly the registered ones, the default first.
func TestDomainListsFollowTheRegistry(t *testing.T) {
	names := domain.Names()
	manual := names[0] + " (default) or " + strings.Join(names[1:], " or ")
	flagLine := regexp.MustCompile(`^//\s+-domain NAME\s+(.*)$`)
	docs, _ := filepath.Glob("cmd/*/doc.go")
	pages, _ := filepath.Glob("docs/*.md")
	pipes := regexp.MustCompile(`-domain ([a-z_]+(?:\|[a-z_]+)+)`)
	found := 0
	for _, path := range append(append(docs, "README.md"), pages...) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if m := flagLine.FindStringSubmatch(line); m != nil {
				found++
				if m[1] != manual {
					t.Errorf("%s:%d: -domain NAME %q, want %q (the registry, pkg/domain/registry.go)", path, i+1, m[1], manual)
				}
			}
			for _, m := range pipes.FindAllStringSubmatch(line, -1) {
				found++
				if want := strings.Join(names, "|"); m[1] != want {
					t.Errorf("%s:%d: -domain %s, want -domain %s (the registry, pkg/domain/registry.go)", path, i+1, m[1], want)
				}
			}
		}
	}
	if found < 5 {
		t.Errorf("found %d lists of domains; the parsing is off", found)
	}
}
