// Package mariadb is the toolkit's store: the only package that speaks to MariaDB (sqlx
// and the driver). It opens connections with the session settings the checks rely on,
// applies schemas, loads batches, keeps the journal and reads rows back.
package mariadb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	dmtschema "dmt/pkg/schema"

	"dmt/pkg/rules"
)

// DB is a connection pool to one MariaDB database, opened with the session settings the
// toolkit relies on (see ParseDSN).
type DB struct {
	// pool is the connection pool; callers reach it only through DB's methods, so that
	// every statement goes through this package.
	pool *sqlx.DB
	Cfg  *mysql.Config
	// ReconnectWithin bounds how long LoadBatch tries to get a lost connection back
	// before it gives up (30 s when zero).
	ReconnectWithin time.Duration
	// BatchWithin bounds how long one attempt at writing a batch may wait for the
	// server, its COMMIT included (5 min when zero): see LoadBatch.
	BatchWithin time.Duration
	// DDLTimeout bounds each statement of a schema step, waiting for locks included
	// (5 min when zero): see Upgrade.
	DDLTimeout time.Duration
	// packet is the server's max_allowed_packet, read once by packetLimit.
	packet atomic.Int64
	// cluster connects to the nodes of a DSN listing several, or to one Galera node;
	// nil for one server without wsrep.
	cluster *cluster
	// wsRows and wsBytes are the Galera write-set limits (wsrep_max_ws_rows,
	// wsrep_max_ws_size) read at Open, and again when a batch was refused over them; 0
	// when there is none: batches stay under them.
	wsRows, wsBytes atomic.Int64
}

// sqlMode makes MariaDB refuse what it would otherwise coerce with a warning.
const sqlMode = "'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"

// errNoDatabase is returned by Open and OpenCreate for a DSN without a database name.
var errNoDatabase = errors.New("no database in DSN (add /NAME)")

// ParseDSN parses dsn (go-sql-driver form: user:password@tcp(host:port)/name, or with
// the nodes of a Galera cluster listed: tcp(h1:3306,h2:3306,h3:3306), kept in Addr
// joined by commas, each with its port) and forces what the toolkit relies on whatever
// the DSN says: dates read as text (ParseTime off, UTC), utf8mb4 with
// utf8mb4_unicode_ci, one statement per query, arguments sent within it
// (interpolateParams), strict SQL mode, UTC session time zone, autocommit on, the
// server's foreign-key, unique-key and CHECK constraint checks on, GROUP_CONCAT up to
// 1 MiB, and a 5 s connect timeout unless one is given. The session settings are set
// on every new connection, after the server's init_connect: a server that turns
// autocommit off for ordinary accounts would otherwise leave every statement outside an
// explicit transaction (the journal, the lease) uncommitted. The driver's own logging is
// off: it would print a broken connection on stderr besides returning it, and the
// toolkit reports that error once, in its one line (Open's DriverLog option sends it to
// a run's log file instead). Its errors never show the password.
func ParseDSN(dsn string) (*mysql.Config, error) {
	first, nodes, err := splitNodes(dsn)
	if err != nil {
		return nil, err
	}
	cfg, err := mysql.ParseDSN(first)
	if err != nil {
		return nil, dsnError(dsn, err)
	}
	// The driver takes all after the last "/" for the database: with a "/" in the user
	// and none after the address ("dom/bob:pw@tcp(h:1)"), that is the password and the
	// address, which every message naming the database would then show.
	if strings.Contains(cfg.DBName, "@") {
		return nil, errors.New(dsnWant + `: a database name may not hold "@" (a "/" before the password?)`)
	}
	if len(nodes) > 1 {
		if cfg.Net != "tcp" {
			return nil, fmt.Errorf("invalid DSN: a node list needs tcp(...), not %s(...)", cfg.Net)
		}
		cfg.Addr = strings.Join(nodes, ",")
	}
	cfg.ParseTime = false
	cfg.Loc = time.UTC
	// Charset sets both: the collation goes in the handshake and SET NAMES runs on
	// every new connection, overriding a charset= parameter of the DSN.
	if err := cfg.Apply(mysql.Charset("utf8mb4", "utf8mb4_unicode_ci")); err != nil {
		return nil, fmt.Errorf("invalid DSN: %v", err)
	}
	cfg.MultiStatements = false
	// A statement with arguments is sent as one query, its arguments escaped by the
	// driver, instead of a prepare, an execute and a close: one round trip where three
	// were, which a run of many small files pays for each of its ~16 statements a file
	// (1,200 weekly files: 6.2 -> 5.0 s). A query holding a literal "?" is prepared as
	// before (the driver interpolates only when the marks and the arguments agree).
	cfg.InterpolateParams = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["sql_mode"] = sqlMode
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Params["autocommit"] = "1"
	// The checker proves a row's parent exists when it looks the parent up; only the
	// server's own check, at the insert, holds until COMMIT against another client
	// deleting that parent meanwhile (on Galera, it also certifies the parent's key
	// across nodes). So a DSN cannot turn the checks off, although that would be a
	// quarter faster (docs/operations.md).
	for _, v := range []string{"foreign_key_checks", "unique_checks", "check_constraint_checks"} {
		cfg.Params[v] = "1"
	}
	// validate rebuilds a project's site list with GROUP_CONCAT to recompute its
	// fingerprint: MySQL's default of 1024 bytes would cut a long list.
	cfg.Params["group_concat_max_len"] = "1048576"
	cfg.Logger = &mysql.NopLogger{}
	return cfg, nil
}

// dsnWant opens every error of a DSN that does not parse.
const dsnWant = "invalid DSN (want user:password@tcp(host:port)/database)"

// dsnError says why dsn does not parse, keeping the driver's reason only when it
// cannot hold a piece of the password (the reasons that quote the DSN are dropped).
func dsnError(dsn string, err error) error {
	reason := strings.TrimPrefix(err.Error(), "invalid DSN: ")
	if strings.ContainsAny(reason, `"'`) || strings.Contains(reason, "invalid dbname") {
		return errors.New(dsnWant)
	}
	if i, j := strings.Index(dsn, ":"), strings.LastIndex(dsn, "@"); i >= 0 && j > i+1 {
		if pw := dsn[i+1 : j]; strings.Contains(reason, pw) {
			return errors.New(dsnWant)
		}
	}
	return fmt.Errorf("%s: %s", dsnWant, reason)
}

// Describe names the database for people: "host:port/name" ("h1:p1,h2:p2/name" for a
// node list), never user or password.
func Describe(cfg *mysql.Config) string {
	if cfg == nil {
		return ""
	}
	return cfg.Addr + "/" + cfg.DBName
}

// Describe names db for people, as the function Describe does.
func (db *DB) Describe() string { return Describe(db.Cfg) }

// Option changes how Open and OpenCreate connect.
type Option func(*mysql.Config)

// DriverLog sends the driver's own lines (a connection found broken and closed, a
// packet out of sequence) to log, as WARN lines with action=driver: a run keeps them in
// its log file, where they explain a reconnection, instead of on stderr, where they
// would break the one-line rule. Without it they are dropped.
func DriverLog(log *slog.Logger) Option {
	return func(cfg *mysql.Config) { cfg.Logger = driverLogger{log} }
}

// driverLogger is a mysql.Logger writing to a slog.Logger.
type driverLogger struct{ log *slog.Logger }

func (d driverLogger) Print(v ...any) {
	d.log.Warn("driver", "detail", strings.Join(strings.Fields(fmt.Sprint(v...)), " "))
}

// databaseConfig is dsn's configuration with opts applied; a DSN must name a database.
func databaseConfig(dsn string, opts []Option) (*mysql.Config, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.DBName == "" {
		return nil, errNoDatabase
	}
	for _, o := range opts {
		o(cfg)
	}
	return cfg, nil
}

// Open connects to the database dsn names and checks that it answers. Its errors went
// through FormatError.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	cfg, err := databaseConfig(dsn, opts)
	if err != nil {
		return nil, err
	}
	return open(ctx, cfg)
}

// open connects to the server cfg names, or to the first ready node of the list it
// names (see cluster). A single server that turns out to be a Galera node is reopened
// through a cluster of one node, so that it too is used only when ready.
func open(ctx context.Context, cfg *mysql.Config) (*DB, error) {
	nodes := Nodes(cfg)
	db, err := openWith(ctx, cfg, len(nodes) > 1)
	if err != nil || db.cluster != nil {
		return db, err
	}
	var wsrep sql.NullString
	if err := db.pool.QueryRowContext(ctx, "SELECT @@global.wsrep_on").Scan(&wsrep); err != nil || wsrep.String != "1" {
		return db, nil // no wsrep (MariaDB without Galera, or another server)
	}
	db.Close()
	return openWith(ctx, cfg, true)
}

func openWith(ctx context.Context, cfg *mysql.Config, asCluster bool) (*DB, error) {
	var conn driver.Connector
	var cl *cluster
	var err error
	if asCluster {
		cl, err = newCluster(cfg, Nodes(cfg))
		conn = cl
	} else {
		conn, err = mysql.NewConnector(cfg)
	}
	if err != nil {
		return nil, FormatError(err)
	}
	pool := sqlx.NewDb(sql.OpenDB(conn), "mysql")
	pool.SetMaxOpenConns(16)
	pool.SetMaxIdleConns(16)
	pool.SetConnMaxLifetime(10 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, FormatError(err)
	}
	d := &DB{pool: pool, Cfg: cfg, cluster: cl}
	if cl != nil && cl.isGalera() {
		if err := d.readLimits(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("read the write-set limits: %w", FormatError(err))
		}
	}
	return d, nil
}

// OpenCreate is Open, creating the database first (utf8mb4, utf8mb4_unicode_ci) when it
// does not exist: what -create-db asks. Without it, a database that does not exist is an
// error, so that a typo in its name never creates a new one. A database that exists is
// opened without CREATE DATABASE, so an account that may only use it runs with
// -create-db too.
func OpenCreate(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	cfg, err := databaseConfig(dsn, opts)
	if err != nil {
		return nil, err
	}
	if strings.Contains(cfg.DBName, "`") {
		return nil, fmt.Errorf("invalid database name %q: it holds a backtick", cfg.DBName)
	}
	db, err := open(ctx, cfg)
	var me *mysql.MySQLError
	if err == nil || !errors.As(err, &me) || me.Number != 1049 {
		return db, err
	}
	server := cfg.Clone()
	server.DBName = ""
	admin, err := open(ctx, server)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if _, err := admin.pool.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+rules.QuoteIdent(cfg.DBName)+
		" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return nil, fmt.Errorf("create database %s: %w", cfg.DBName, FormatError(err))
	}
	return open(ctx, cfg)
}

// OpenLoad opens the database of a run that loads rows (migration, reprise): with
// OpenCreate when create is set (-create-db), with Open otherwise, the driver's lines
// going to log (DriverLog). The tests of a schema step that hangs and of a server that
// does not come back set DDLTimeout and ReconnectWithin through DMT_TEST_DDL_TIMEOUT
// and DMT_TEST_RECONNECT_WITHIN, so that they wait seconds, not minutes.
func OpenLoad(ctx context.Context, dsn string, create bool, log *slog.Logger) (*DB, error) {
	open := Open
	if create {
		open = OpenCreate
	}
	db, err := open(ctx, dsn, DriverLog(log))
	if err != nil {
		return nil, err
	}
	if s := os.Getenv("DMT_TEST_DDL_TIMEOUT"); s != "" {
		db.DDLTimeout, _ = time.ParseDuration(s)
	}
	if s := os.Getenv("DMT_TEST_RECONNECT_WITHIN"); s != "" {
		db.ReconnectWithin, _ = time.ParseDuration(s)
	}
	return db, nil
}

// ApplySchema runs every statement of a whole schema text in order, then records the
// schema's SHA-256 under name in schema_version (which the schema must create). Programs
// use Migrate (ordered steps); this applies the readable whole (schema.sql), which tests
// compare with what the steps produce. An error names the statement by its first line.
func (db *DB) ApplySchema(ctx context.Context, name, schema string) error {
	for _, stmt := range dmtschema.Statements(schema) {
		if _, err := db.pool.ExecContext(ctx, stmt); err != nil {
			first, _, _ := strings.Cut(stmt, "\n")
			first = strings.TrimRight(strings.TrimSpace(first), " (")
			return fmt.Errorf("apply schema: %s: %w", first, FormatError(err))
		}
	}
	sum := sha256.Sum256([]byte(schema))
	if _, err := db.pool.ExecContext(ctx,
		"INSERT IGNORE INTO schema_version (name, sha256, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))",
		name, hex.EncodeToString(sum[:])); err != nil {
		return fmt.Errorf("apply schema: record in schema_version: %w", FormatError(err))
	}
	return nil
}

// Close closes the pool's connections.
func (db *DB) Close() error { return db.pool.Close() }
