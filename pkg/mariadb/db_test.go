package mariadb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb"
	"dmt/pkg/mariadb/mariadbtest"
)

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(mariadbtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	wrong := cfg.Clone()
	wrong.User, wrong.Passwd, wrong.DBName = "nobody", "s3cret-pw", "x"
	closed := cfg.Clone()
	closed.Addr, closed.DBName = "127.0.0.1:1", "x"
	nodb := cfg.Clone()
	nodb.DBName = ""
	unknown := cfg.Clone()
	unknown.DBName = "no_such_database_here"
	cases := []struct {
		name, dsn, want string
	}{
		{"wrong password", wrong.FormatDSN(), "access denied for user nobody"},
		{"closed port", closed.FormatDSN(), "cannot reach MariaDB at 127.0.0.1:1"},
		{"no database", nodb.FormatDSN(), "no database in DSN"},
		{"unknown database", unknown.FormatDSN(), "unknown database"},
		{"garbage", "::::", "invalid DSN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := mariadb.Open(ctx, c.dsn)
			if err == nil {
				db.Close()
				t.Fatalf("Open succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || strings.Contains(msg, "s3cret-pw") || strings.Contains(msg, "\n") {
				t.Errorf("Open error = %q, want one line with %q and no password", msg, c.want)
			}
		})
	}
}

func TestOpenCreateAndDescribe(t *testing.T) {
	ctx := context.Background()
	dsn := mariadbtest.NewDatabase(t)
	cfg, _ := mysql.ParseDSN(dsn)
	cfg.DBName += "_created"
	cfg.Passwd = "" // the test server's root has none; Describe must not show it anyway
	db, err := mariadb.OpenCreate(ctx, cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		db.Exec("DROP DATABASE `" + cfg.DBName + "`")
		db.Close()
	}()
	if got := mariadb.Describe(db.Cfg); got != cfg.Addr+"/"+cfg.DBName {
		t.Errorf("Describe = %q", got)
	}
	var mode string
	if err := db.Get(&mode, "SELECT @@SESSION.sql_mode"); err != nil || !strings.Contains(mode, "STRICT_ALL_TABLES") {
		t.Errorf("sql_mode = %q, %v", mode, err)
	}
	withPw := db.Cfg.Clone()
	withPw.Passwd = "s3cret"
	if strings.Contains(mariadb.Describe(withPw), "s3cret") {
		t.Errorf("Describe shows the password")
	}
}
