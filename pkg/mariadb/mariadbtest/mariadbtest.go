// Package mariadbtest gives each test a fresh MariaDB database of its own on a real
// server: the one named by MARIADB_TEST_DSN, else the project's private server, which it
// starts with scripts/mariadb-local.sh. Without a server a test fails when CI is set and
// is skipped, saying why, elsewhere.
package mariadbtest

import (
	"bytes"
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
	cfg, err := mysql.ParseDSN(ServerDSN(tb))
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
