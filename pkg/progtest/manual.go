package progtest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"regexp"
	"strings"
	"testing"

	"dmt/pkg/cli"
)

// CheckManual holds a program to its manual as users meet it: `prog -h` prints the
// manual (its doc.go comment) on stdout, nothing on stderr, and exits 0; the manual has
// its usage, every flag the program declares, its exit status and an example; a bad
// flag is one line on stderr naming -h, with exit 2 and nothing on stdout. run is the
// program's run, called in process with -h to get the flag set it declares, so a flag
// added without its line in the manual fails the test.
func CheckManual(t *testing.T, prog string, run cli.RunFunc) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, strings.NewReader(""), &stdout, &stderr)
	var help *cli.HelpShown
	if !errors.As(err, &help) || !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("%s -h in process: %v, want *cli.HelpShown", prog, err)
	}
	manual := stdout.String()
	for _, section := range []string{"Usage:", "Flags:", "Exit status", "Example"} {
		if !strings.Contains(manual, section) {
			t.Errorf("%s manual: no %q", prog, section)
		}
	}
	help.FlagSet.VisitAll(func(f *flag.Flag) {
		// "-name" as a word of its own: -out must not be satisfied by -outdir.
		re := regexp.MustCompile(`(^|[^\w-])-` + regexp.QuoteMeta(f.Name) + `([^\w-]|$)`)
		if !re.MatchString(manual) {
			t.Errorf("%s manual does not mention its flag -%s (%s)", prog, f.Name, f.Usage)
		}
	})

	res := Run(t, nil, nil, prog, "-h")
	if res.Code != 0 || res.Stdout != manual || res.Stderr != "" {
		t.Errorf("%s -h: exit %d, stderr %q, stdout the manual: %v; want exit 0, the manual on stdout, nothing on stderr",
			prog, res.Code, res.Stderr, res.Stdout == manual)
	}
	res = Run(t, nil, nil, prog, "-no-such-flag")
	line := strings.TrimSpace(res.Stderr)
	if res.Code != 2 || res.Stdout != "" || strings.Contains(line, "\n") || !strings.Contains(line, prog+" -h") {
		t.Errorf("%s -no-such-flag: exit %d, stdout %q, stderr %q; want exit 2 and one line on stderr pointing to -h",
			prog, res.Code, res.Stdout, res.Stderr)
	}
}
