package dmt

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
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
