package mariadb

import (
	"strings"
	"testing"
)

// FuzzParseDSN: whatever a user types after -dsn (or puts in $MARIADB_DSN, or in a
// password file), ParseDSN never panics; its error never shows the password; and a DSN
// it accepts has the settings the toolkit relies on forced, and every node of its list
// with a port. The password is the fuzzed user's own: a DSN is user:password@rest.
func FuzzParseDSN(f *testing.F) {
	for _, s := range [][3]string{
		{"bob", "s3cret-pw", "tcp(host:3306)/db"},
		{"bob", "s3cret-pw", "tcp(host:3306"},
		{"bob", "s3c/ret-pw", "tcp(host:3306)"},
		{"bob", "s3cret-pw", "tcp(host:3306)/db?parseTime=s3cret-pw"},
		{"bob", "p@ss,w(o)rd/x", "tcp([::1]:1,db2)/clevity"},
		{"bob", "s3cret-pw", "tcp(h1,,h2)/clevity"},
		{"bob", "s3cret-pw", "unix(/a,/b)/clevity"},
		{"bob", "s3cret-pw", "tcp(127.0.0.1:4501,127.0.0.1:4502)/clevity?foreign_key_checks=0&timeout=2s"},
		{"", "", "/"},
		{"bob", "pw%zz", "tcp(h:1)/db?x=%"},
		{"dom/bob", "s3cret-pw", "tcp(h:1)"}, // no "/db": the driver would take "s3cret-pw@tcp(h:1)" for the database
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, user, pw, rest string) {
		dsn := user + ":" + pw + "@" + rest
		cfg, err := ParseDSN(dsn)
		if err != nil {
			// A password of a few characters may stand in the message's own words, or in
			// another part of the DSN that the message may name: only a distinctive one
			// is looked for.
			if msg := err.Error(); len(pw) >= 6 && !strings.Contains(user+rest, pw) && strings.Contains(msg, pw) {
				t.Fatalf("ParseDSN(%q) error %q shows the password", dsn, msg)
			}
			return
		}
		for _, v := range []string{"foreign_key_checks", "unique_checks", "check_constraint_checks", "autocommit"} {
			if cfg.Params[v] != "1" {
				t.Fatalf("ParseDSN(%q): %s = %q, want 1", dsn, v, cfg.Params[v])
			}
		}
		if cfg.Params["sql_mode"] != sqlMode || cfg.MultiStatements || cfg.ParseTime {
			t.Fatalf("ParseDSN(%q) did not force the session settings: %+v", dsn, cfg)
		}
		if nodes := Nodes(cfg); len(nodes) > 1 {
			for _, n := range nodes {
				if n == "" || !strings.Contains(n, ":") {
					t.Fatalf("ParseDSN(%q): node %q of %q has no port", dsn, n, cfg.Addr)
				}
			}
		}
		if d := Describe(cfg); len(pw) >= 6 && !strings.Contains(user+rest, pw) && strings.Contains(d, pw) {
			t.Fatalf("Describe(ParseDSN(%q)) = %q shows the password", dsn, d)
		}
	})
}
