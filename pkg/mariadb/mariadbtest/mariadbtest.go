// Package mariadbtest gives each test a fresh MariaDB database of its own on a real
// server: the one named by MARIADB_TEST_DSN, else the project's private server, which it
// starts with scripts/mariadb-local.sh. Without a server a test fails when CI is set and
// is skipped, saying why, elsewhere.
package mariadbtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

var (
	serverOnce sync.Once
	serverDSN  string
	serverErr  error
)

// ServerDSN returns the DSN of the test server, without a database name.
func ServerDSN(tb testing.TB) string {
	tb.Helper()
	serverOnce.Do(func() { serverDSN, serverErr = findServer() })
	if serverErr != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("no MariaDB server for integration tests: %v", serverErr)
		}
		tb.Skipf("no MariaDB server for integration tests (set MARIADB_TEST_DSN or install mariadb-server): %v", serverErr)
	}
	return serverDSN
}

func findServer() (string, error) {
	if dsn := os.Getenv("MARIADB_TEST_DSN"); dsn != "" {
		return dsn, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "mariadb-local.sh"), "start")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("scripts/mariadb-local.sh start: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// RepoRoot returns the folder holding the project's go.mod, searching up from the
// working directory (a test runs in its package's folder).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// NewDatabase creates an empty database for this test and returns its DSN; the database
// is dropped when the test ends.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	return NewDatabaseOn(tb, ServerDSN(tb))
}

// NewDatabaseOn is NewDatabase on the server serverDSN names (a Server's).
func NewDatabaseOn(tb testing.TB, serverDSN string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(serverDSN)
	if err != nil {
		tb.Fatalf("parse test DSN: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t_" + time.Now().Format("150405") + "_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatalf("open test server: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE IF EXISTS `" + name + "`"); err != nil {
			tb.Logf("drop test database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// NewUser creates a MariaDB account that may do anything in the database dsn names, with
// a password of its own that holds "@", ":" and "/" (the characters a DSN parser trips
// on), and returns a DSN for it and its password. The account is dropped when the test
// ends. Tests use it to prove that a password given to a program never comes back.
func NewUser(tb testing.TB, dsn string) (userDSN, password string) {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("parse test DSN: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	user := "u_" + hex.EncodeToString(b[:])
	_, _ = rand.Read(b[:])
	password = "Pw@" + hex.EncodeToString(b[:]) + ":s/3@cr"
	admin, err := sql.Open("mysql", ServerDSN(tb))
	if err != nil {
		tb.Fatalf("open test server: %v", err)
	}
	defer admin.Close()
	// Identifiers and password are made of hex digits and "@:/" above: safe to quote.
	hosts := []string{"%", "localhost"}
	for _, host := range hosts {
		account := "'" + user + "'@'" + host + "'"
		for _, stmt := range []string{"CREATE USER " + account + " IDENTIFIED BY '" + password + "'",
			"GRANT ALL ON `" + cfg.DBName + "`.* TO " + account} {
			if _, err := admin.Exec(stmt); err != nil {
				tb.Fatalf("%s: %v", stmt, err)
			}
		}
	}
	tb.Cleanup(func() {
		db, err := sql.Open("mysql", ServerDSN(tb))
		if err != nil {
			return
		}
		defer db.Close()
		for _, host := range hosts {
			if _, err := db.Exec("DROP USER IF EXISTS '" + user + "'@'" + host + "'"); err != nil {
				tb.Logf("drop test user %s: %v", user, err)
			}
		}
	})
	cfg.User, cfg.Passwd = user, password
	return cfg.FormatDSN(), password
}

// HoldOn opens a session of its own on dsn (one server or node) and runs stmts in it,
// as another client holding a table would; the session ends with the test.
func HoldOn(tb testing.TB, dsn string, stmts ...string) *sql.Conn {
	tb.Helper()
	ctx := context.Background()
	raw, err := sql.Open("mysql", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	holder, err := raw.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { holder.Close() })
	for _, q := range stmts {
		if _, err := holder.ExecContext(ctx, q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	return holder
}

// Find returns where s occurs in the database dsn names, as "table.column (n rows)":
// every column of every table and view is searched, whatever its type.
func Find(tb testing.TB, dsn, s string) []string {
	tb.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position")
	if err != nil {
		tb.Fatalf("list columns: %v", err)
	}
	var cols [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			tb.Fatal(err)
		}
		cols = append(cols, [2]string{t, c})
	}
	if err := rows.Close(); err != nil {
		tb.Fatal(err)
	}
	if len(cols) == 0 {
		tb.Fatalf("no table to search in %s", dsn)
	}
	var found []string
	for _, c := range cols {
		var n int
		q := "SELECT COUNT(*) FROM `" + c[0] + "` WHERE INSTR(CAST(`" + c[1] + "` AS CHAR CHARACTER SET utf8mb4), ?) > 0"
		if err := db.QueryRow(q, s).Scan(&n); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%s.%s (%d rows)", c[0], c[1], n))
		}
	}
	return found
}
