package redact_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/redact"
)

func TestArgs(t *testing.T) {
	cases := []struct{ in, want []string }{
		{[]string{"-dsn", "dmt:S3cretPw@tcp(db:3306)/clevity", "-out", "out", "data_1"},
			[]string{"-dsn", "dmt:xxxxx@tcp(db:3306)/clevity", "-out", "out", "data_1"}},
		{[]string{"-dsn=dmt:S3cretPw@tcp(db:3306)/clevity"}, []string{"-dsn=dmt:xxxxx@tcp(db:3306)/clevity"}},
		{[]string{"--dsn", "dmt:S3cretPw@tcp(db:3306)/clevity"}, []string{"--dsn", "dmt:xxxxx@tcp(db:3306)/clevity"}},
		{[]string{"--dsn=dmt:S3cretPw@tcp(db:3306)/clevity"}, []string{"--dsn=dmt:xxxxx@tcp(db:3306)/clevity"}},
		{[]string{"-dsn", "u:p@ss:w/rd@@tcp(127.0.0.1:3306)/d?parseTime=true"}, []string{"-dsn", "u:xxxxx@tcp(127.0.0.1:3306)/d?parseTime=true"}},
		{[]string{"-dsn", "u:pw@unix(/run/mysqld/mysqld.sock)/d"}, []string{"-dsn", "u:xxxxx@unix(/run/mysqld/mysqld.sock)/d"}},
		{[]string{"-dsn", "root@tcp(127.0.0.1:3306)/d"}, []string{"-dsn", "root@tcp(127.0.0.1:3306)/d"}},
		{[]string{"-dsn", "u:pw@nowhere"}, []string{"-dsn", "xxxxx"}},
		{[]string{"-out", "-", "-dsn"}, []string{"-out", "-", "-dsn"}},
		{[]string{"-entity", "projets", "u:pw@tcp(h:1)/d"}, []string{"-entity", "projets", "u:xxxxx@tcp(h:1)/d"}},
		{[]string{"-other=u:pw@tcp(h:1)/d"}, []string{"-other=u:xxxxx@tcp(h:1)/d"}},
		{[]string{"-out", "reports/2026", "-today", "2026-11-15", "a@b.fr"}, []string{"-out", "reports/2026", "-today", "2026-11-15", "a@b.fr"}},
		{nil, []string{}},
	}
	for _, c := range cases {
		if got := redact.Args(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Args(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestArgsKeepsItsInput(t *testing.T) {
	in := []string{"-dsn", "u:pw@tcp(h:1)/d"}
	redact.Args(in)
	if in[1] != "u:pw@tcp(h:1)/d" {
		t.Errorf("Args changed its input: %q", in)
	}
}

// TestDSNFindsTheDriversPassword holds the hand-written parse to the driver's: the
// password the driver would send is the part masked, whatever it holds.
func TestDSNFindsTheDriversPassword(t *testing.T) {
	for _, pw := range []string{"S3cretPw", "p@ss", "a:b", "x/y", "@:/", "p@ss:w/rd@", "(tcp)", "a b"} {
		for _, rest := range []string{"@tcp(127.0.0.1:3306)/clevity", "@unix(/tmp/my.sock)/d?timeout=5s", "@/d"} {
			dsn := "dmt:" + pw + rest
			cfg, err := mysql.ParseDSN(dsn)
			if err != nil {
				t.Fatalf("driver: %q: %v", dsn, err)
			}
			if cfg.Passwd != pw {
				t.Fatalf("driver reads password %q from %q, want %q", cfg.Passwd, dsn, pw)
			}
			got := redact.DSN(dsn)
			if got != "dmt:"+redact.Mask+rest {
				t.Errorf("DSN(%q) = %q", dsn, got)
			}
			if strings.Contains(got, pw) {
				t.Errorf("DSN(%q) = %q still holds the password", dsn, got)
			}
		}
	}
}
