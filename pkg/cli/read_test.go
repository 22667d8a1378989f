package cli

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

// TestOpenRead: the one way the read-only programs open their database. It takes the
// domain the database records when given none, refuses (naming the database, never the
// password) one without a domain, another domain's, or a schema older than it knows,
// and Record journals the run with the password masked.
func TestOpenRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	empty := mariadbtest.NewDatabase(t)
	dsn := mariadbtest.NewDatabase(t)
	userDSN, password := mariadbtest.NewUser(t, dsn)
	admin, err := mariadb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.Migrate(ctx, "clevity", "test-run"); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	where := func(dsn string) string {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Addr + "/" + cfg.DBName
	}

	for _, c := range []struct {
		name, dsn, domain string
		want              string // the domain found, or a text of the refusal
		ok                bool
	}{
		{"domain recorded", userDSN, "", "clevity", true},
		{"domain given", userDSN, "clevity", "clevity", true},
		{"another domain's database", userDSN, "distributech", "is a clevity database, not distributech", false},
		{"no domain recorded", empty, "", "no domain recorded: not a database of the toolkit", false},
		{"no schema", empty, "clevity", "no dmt schema", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := OpenRead(ctx, c.dsn, c.domain)
			if !c.ok {
				if err == nil {
					r.DB.Close()
					t.Fatalf("OpenRead(%q) = nil error, want %q", c.domain, c.want)
				}
				if msg := err.Error(); !strings.Contains(msg, c.want) || !strings.Contains(msg, where(c.dsn)) || strings.Contains(msg, password) {
					t.Errorf("OpenRead(%q) = %q, want %q naming %s, without the password", c.domain, msg, c.want, where(c.dsn))
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenRead(%q): %v", c.domain, err)
			}
			defer r.DB.Close()
			if r.Domain != c.want || r.Where != where(c.dsn) || r.ID == "" || r.Started.IsZero() {
				t.Errorf("OpenRead(%q) = domain %q, where %q, id %q, started %v; want %s on %s", c.domain, r.Domain, r.Where, r.ID, r.Started, c.want, where(c.dsn))
			}
		})
	}

	t.Run("record", func(t *testing.T) {
		r, err := OpenRead(ctx, userDSN, "")
		if err != nil {
			t.Fatal(err)
		}
		defer r.DB.Close()
		if err := r.Record(ctx, "validate", []string{"-dsn", userDSN, "-out", "x"}); err != nil {
			t.Fatal(err)
		}
		var tool, domain, status, args string
		if err := raw.QueryRow("SELECT tool, domain, status, args FROM journal WHERE run_id = ?", r.ID).Scan(&tool, &domain, &status, &args); err != nil {
			t.Fatal(err)
		}
		if tool != "validate" || domain != "clevity" || status != "running" || strings.Contains(args, password) || !strings.Contains(args, "-out x") {
			t.Errorf("journal row: %s %s %s %q; want validate clevity running, the arguments without the password", tool, domain, status, args)
		}
	})

	t.Run("schema older", func(t *testing.T) {
		if _, err := raw.Exec("DELETE FROM schema_version ORDER BY name DESC LIMIT 1"); err != nil {
			t.Fatal(err)
		}
		_, err := OpenRead(ctx, userDSN, "clevity")
		if err == nil || !strings.Contains(err.Error(), "database schema is older") {
			t.Errorf("OpenRead on an older schema = %v, want a refusal naming both versions", err)
		}
	})
}
