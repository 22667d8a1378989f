package domain_test

import (
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"dmt/pkg/domain"
	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/model"
	"dmt/pkg/rules"
)

// FuzzRulesGoAndSQLAgree holds the two forms of every field rule of both domains to one
// verdict on any text: a value the Go form (migration's) accepts, stored as migration
// stores it, passes every SQL check of its field (validate's); a stored free text the
// SQL checks pass is one the Go form accepts (in its canonical form, which validate
// does not ask of free text); and for the kinds stored in canonical form (e-mails,
// enumerations), one the Go form accepts unchanged. And a value the Go form accepts
// reads back from its column as the very text Go made of it (what row fingerprints,
// computed by migration in Go and by validate in SQL, rest on). The SQL forms read the
// value as a literal of its column's type, on the server.
func FuzzRulesGoAndSQLAgree(f *testing.F) {
	for _, s := range []string{"", " ", "Lyon", "a@b.fr", " A@B.FR ", "x@y", "ÉLODIE@exemple.fr", "a..b@c.fr", "a@b.c\u00e9",
		"consultant", "Consultant ", "2023-01-10", "10/01/2023", "1e3", "12,5", "-0", "0042", "\u200bx", "a\tb", "x\u00a0y",
		"chef_projet", "\u212a@k.fr", "a@b\n.fr", "a@b.fr\n", "a+b@c.co.uk", "_@-.fr"} {
		f.Add(s)
	}
	db, err := sql.Open("mysql", mariadbtest.NewDatabase(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	today := model.Date{Year: 2026, Month: 11, Day: 15}
	var fields []*rules.Field
	for _, name := range domain.Names() {
		for _, e := range domain.ByName(name).Entities {
			for i := range e.Fields {
				if e.Fields[i].Kind != rules.List {
					fields = append(fields, &e.Fields[i])
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // the CSV reader hands the rules UTF-8 only, and a utf8mb4 column holds no other
		}
		for _, fd := range fields {
			v, viol := fd.Normalize(s, today)
			if viol == nil && v != "" {
				if bad := failedSQL(t, db, fd, literal(fd, v), today); bad != "" {
					t.Fatalf("%s: Go accepts %q as %q, SQL check %s refuses it", fd.Name, s, v, bad)
				}
				// The fingerprint validate recomputes reads each value back as its text:
				// the server's text of the stored value is the canonical text Go hashed.
				var back []byte
				if err := db.QueryRow("SELECT CAST(" + literal(fd, v) + " AS BINARY)").Scan(&back); err != nil || string(back) != v {
					t.Fatalf("%s: Go accepts %q as %q, stored it reads back as %q (%v)", fd.Name, s, v, back, err)
				}
			}
			if fd.Kind != rules.Email && fd.Kind != rules.Enum && fd.Kind != rules.Text || s == "" {
				continue
			}
			if fd.Kind != rules.Text && failedSQL(t, db, fd, literal(fd, s), today) == "" && (viol != nil || v != s) {
				t.Fatalf("%s: SQL passes the stored %q, Go gives %q, %v", fd.Name, s, v, viol)
			}
			if fd.Kind == rules.Text && viol != nil && failedSQL(t, db, fd, literal(fd, s), today) == "" {
				t.Fatalf("%s: SQL passes the stored %q, Go refuses it: %v", fd.Name, s, viol)
			}
		}
	})
}

// literal is v as a SQL literal of fd's column type (utf8mb4_bin text, as the schema's).
func literal(fd *rules.Field, v string) string {
	switch fd.Kind {
	case rules.Integer:
		return "CAST('" + v + "' AS SIGNED)"
	case rules.Decimal:
		return fmt.Sprintf("CAST('%s' AS DECIMAL(%d,%d))", v, fd.Precision, fd.Scale)
	case rules.Date:
		return "DATE '" + v + "'"
	}
	return "CONVERT(X'" + hex.EncodeToString([]byte(v)) + "' USING utf8mb4) COLLATE utf8mb4_bin"
}

// failedSQL returns the code of the first SQL check of fd that the value lit fails, or "".
func failedSQL(t *testing.T, db *sql.DB, fd *rules.Field, lit string, today model.Date) string {
	t.Helper()
	checks := fd.SQL("c.v", today)
	if len(checks) == 0 {
		return ""
	}
	preds := make([]string, len(checks))
	for i, c := range checks {
		preds[i] = "COALESCE((" + c.Valid + "), FALSE)"
	}
	q := "SELECT CONCAT_WS(',', " + strings.Join(preds, ", ") + ") FROM (SELECT " + lit + " AS v) c"
	var got string
	if err := db.QueryRow(q).Scan(&got); err != nil {
		t.Fatalf("%s: %s: %v", fd.Name, q, err)
	}
	for i, ok := range strings.Split(got, ",") {
		if ok != "1" {
			return string(checks[i].Code)
		}
	}
	return ""
}
