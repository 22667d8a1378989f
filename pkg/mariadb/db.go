// Package mariadb is the toolkit's store: the only package that speaks to MariaDB (sqlx
// and the driver). It opens connections with the session settings the checks rely on,
// applies schemas, loads batches, keeps the journal and reads rows back.
package mariadb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// DB is a pool of connections to one database.
type DB struct {
	*sqlx.DB
	Cfg *mysql.Config
}

// sqlMode makes MariaDB refuse what it would otherwise coerce with a warning.
const sqlMode = "'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"

// ParseDSN parses dsn (go-sql-driver form: user:password@tcp(host:port)/name) and sets
// what the toolkit relies on: strict SQL mode, utf8mb4, UTC, dates as text. Its errors
// never show the password.
func ParseDSN(dsn string) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, errors.New("invalid DSN (want user:password@tcp(host:port)/database)")
	}
	cfg.ParseTime = false
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	cfg.MultiStatements = false
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["sql_mode"] = sqlMode
	cfg.Params["time_zone"] = "'+00:00'"
	return cfg, nil
}

// Describe names the database for people: address and name, never user or password.
func Describe(cfg *mysql.Config) string {
	if cfg == nil {
		return ""
	}
	return cfg.Addr + "/" + cfg.DBName
}

// Open connects to the database dsn names and checks that it answers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.DBName == "" {
		return nil, errors.New("no database in DSN (add /NAME at its end)")
	}
	return open(ctx, cfg)
}

func open(ctx context.Context, cfg *mysql.Config) (*DB, error) {
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, FormatError(err)
	}
	db := sqlx.NewDb(sqlOpenDB(conn), "mysql")
	db.SetMaxOpenConns(16)
	db.SetConnMaxLifetime(10 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, FormatError(err)
	}
	return &DB{DB: db, Cfg: cfg}, nil
}

// OpenCreate is Open, creating the database first when it does not exist.
func OpenCreate(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.DBName == "" {
		return nil, errors.New("no database in DSN (add /NAME at its end)")
	}
	server := cfg.Clone()
	server.DBName = ""
	admin, err := open(ctx, server)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(cfg.DBName)+
		" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return nil, fmt.Errorf("create database %s: %w", cfg.DBName, FormatError(err))
	}
	return open(ctx, cfg)
}

// ApplySchema runs every statement of schema (which must be idempotent) and records the
// schema's hash under name in schema_version. Applying it again changes nothing.
func (db *DB) ApplySchema(ctx context.Context, name, schema string) error {
	for _, stmt := range statements(schema) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			first, _, _ := strings.Cut(stmt, "\n")
			return fmt.Errorf("apply schema: %s: %w", strings.TrimSuffix(strings.TrimSpace(first), " ("), FormatError(err))
		}
	}
	sum := sha256.Sum256([]byte(schema))
	if _, err := db.ExecContext(ctx, "INSERT IGNORE INTO schema_version (name, sha256, applied_at) VALUES (?, ?, ?)",
		name, hex.EncodeToString(sum[:]), time.Now().UTC()); err != nil {
		return fmt.Errorf("apply schema: %w", FormatError(err))
	}
	return nil
}

// statements splits a schema into statements: each ends with ';' at the end of a line;
// comment lines ("-- ") and blank lines are dropped.
func statements(schema string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(schema, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// quoteIdent quotes an identifier for MariaDB. Identifiers come from the domain
// description, never from data.
func quoteIdent(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }
