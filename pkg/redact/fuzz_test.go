package redact_test

import (
	"strings"
	"testing"

	"dmt/pkg/mariadb"
	"dmt/pkg/redact"
)

// FuzzArgs: whatever a command line's -dsn holds, the password that the toolkit would
// send to the server (the one mariadb.ParseDSN reads from it) is not in the line as
// Args records it, in any of the four spellings of the flag.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{
		"dmt:S3cretPw@tcp(db:3306)/clevity",
		"u:p@ss:w/rd@@tcp(127.0.0.1:3306)/d?parseTime=true",
		"u:pw@unix(/run/mysqld/mysqld.sock)/d",
		"u:S3cretPw@tcp(h1:1,h2:2)/d?timeout=2s",
		"dom/bob:S3cretPw@tcp(h:1)/d",
		"u:S3cret/Pw@/d",
		"u:S3cretPw@nowhere",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		cfg, err := mariadb.ParseDSN(dsn)
		if err != nil || len(cfg.Passwd) < 4 {
			return // refused, or too short a password to tell from the DSN's other words
		}
		pw := cfg.Passwd
		for _, line := range [][]string{{"-dsn", dsn}, {"--dsn", dsn}, {"-dsn=" + dsn}, {"--dsn=" + dsn}} {
			got := strings.Join(redact.Args(line), " ")
			// The password may also stand elsewhere in the DSN (in the user, the address,
			// a parameter): only its occurrences beyond those are a leak.
			if strings.Count(got, pw) > strings.Count(dsn, pw)-1 {
				t.Fatalf("Args(%q) = %q still holds the password %q", line, got, pw)
			}
		}
	})
}
