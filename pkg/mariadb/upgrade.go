package mariadb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/schema"
)

// SchemaState is what a database holds of a domain's schema steps.
type SchemaState struct {
	Steps   []schema.Step // the steps this program knows, in order
	Applied []string      // step names recorded in schema_version
	Pending []schema.Step // known steps not recorded yet, in order
	Unknown []string      // recorded step names this program does not know: a newer program applied them
	Empty   bool          // no schema_version table: nothing of the toolkit is there yet
}

// Current is the last step the database recorded ("none" when it recorded none).
func (s SchemaState) Current() string {
	last := "none"
	for _, n := range s.Applied {
		if last == "none" || n > last {
			last = n
		}
	}
	return last
}

// Latest is the last step this program knows.
func (s SchemaState) Latest() string {
	if len(s.Steps) == 0 {
		return "none"
	}
	return s.Steps[len(s.Steps)-1].Name
}

// ReadSchemaState compares the steps recorded in the database with steps. It runs no DDL.
func (db *DB) ReadSchemaState(ctx context.Context, steps []schema.Step) (SchemaState, error) {
	st := SchemaState{Steps: steps}
	missing, err := db.MissingTables(ctx, []string{"schema_version"})
	if err != nil {
		return st, err
	}
	if len(missing) > 0 {
		st.Empty = true
		st.Pending = steps
		return st, nil
	}
	var names []string
	if err := db.pool.SelectContext(ctx, &names, "SELECT DISTINCT name FROM schema_version ORDER BY name"); err != nil {
		return st, fmt.Errorf("read schema_version: %w", FormatError(err))
	}
	recorded := map[string]bool{}
	for _, n := range names {
		if schema.IsStepName(n) {
			recorded[n] = true
			st.Applied = append(st.Applied, n)
		}
	}
	known := map[string]bool{}
	for _, s := range steps {
		known[s.Name] = true
		if !recorded[s.Name] {
			st.Pending = append(st.Pending, s)
		}
	}
	for _, n := range st.Applied {
		if !known[n] {
			st.Unknown = append(st.Unknown, n)
		}
	}
	return st, nil
}

// CheckCurrent returns an error naming both versions when the database's schema is not
// exactly the one steps describe: what a read-only program requires.
func (st SchemaState) CheckCurrent(where string) error {
	switch {
	case len(st.Unknown) > 0:
		return fmt.Errorf("%s: database schema is newer (step %s) than this program knows (up to %s); use the programs that upgraded it",
			where, st.Current(), st.Latest())
	case st.Empty:
		return fmt.Errorf("%s: no dmt schema in this database (run migration first)", where)
	case len(st.Pending) > 0:
		return fmt.Errorf("%s: database schema is older (step %s) than this program knows (up to %s); run migration or reprise once to upgrade it",
			where, st.Current(), st.Latest())
	}
	return nil
}

// Upgrade applies the pending steps of st in order, each recorded in schema_version only
// after all its statements succeeded. The caller holds the run lock. A step stopped half-way
// is reported by name and statement; running again finishes it, since every statement of
// a step is safe to repeat. A missing privilege is named.
//
// Every statement runs in a session of its own whose statements are bounded by
// db.DDLTimeout (see ddlSession): a statement that waits for a table another session
// holds, or a schema change a Galera cluster cannot complete, ends as an error naming
// the step and the statement instead of a run that hangs.
func (db *DB) Upgrade(ctx context.Context, st SchemaState) error {
	if len(st.Pending) == 0 {
		return nil
	}
	conn, err := db.ddlSession(ctx)
	if err != nil {
		return fmt.Errorf("schema step %s: %w", st.Pending[0].Name, FormatError(err))
	}
	defer discard(conn)
	limit := db.ddlTimeout()
	for _, step := range st.Pending {
		stmts := step.Statements()
		for i, stmt := range stmts {
			// The server ends the statement at limit; should it not (a statement it
			// cannot interrupt), the client gives up a little later.
			sctx, cancel := context.WithTimeout(ctx, limit+ddlGrace)
			_, err := conn.ExecContext(sctx, stmt)
			cancel()
			if err != nil {
				if ctx.Err() == nil && timedOut(err) {
					return stepTimeout(step, i, len(stmts), stmt, limit, err)
				}
				return stepError(step, i, len(stmts), stmt, err)
			}
		}
		if _, err := conn.ExecContext(ctx,
			"INSERT IGNORE INTO schema_version (name, sha256, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))",
			step.Name, step.SHA256()); err != nil {
			return fmt.Errorf("schema step %s: record in schema_version: %w", step.Name, FormatError(err))
		}
	}
	return nil
}

// defaultDDLTimeout bounds a schema statement when DB.DDLTimeout is zero: long enough
// for an ALTER TABLE of a table of millions of rows, short enough that a hang ends.
const defaultDDLTimeout = 5 * time.Minute

// ddlGrace is how much longer than the server's limit the client waits for a schema
// statement before it drops the connection.
const ddlGrace = 30 * time.Second

func (db *DB) ddlTimeout() time.Duration {
	if db.DDLTimeout > 0 {
		return db.DDLTimeout
	}
	return defaultDDLTimeout
}

// ddlSession returns a connection for schema statements: max_statement_time and
// lock_wait_timeout (86,400 s by default: a DDL waiting for a table's metadata lock
// would wait a day, and every query of that table behind it) both set to
// db.DDLTimeout. A Galera cluster replicates DDL in total order and blocks every
// write while one runs, so a stuck one must end. The caller discards the connection
// (see discard) so that no other statement inherits these limits.
func (db *DB) ddlSession(ctx context.Context) (*sql.Conn, error) {
	conn, err := db.pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	limit := db.ddlTimeout()
	secs := int64(math.Ceil(limit.Seconds()))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET SESSION max_statement_time = %.3f, lock_wait_timeout = %d", limit.Seconds(), secs)); err != nil {
		discard(conn)
		return nil, err
	}
	return conn, nil
}

// discard closes conn and keeps the pool from reusing it.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// timedOut reports whether err is a schema statement stopped by ddlSession's limits: the
// server's max_statement_time (1969) or lock_wait_timeout (1205), or the client's
// deadline.
func timedOut(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1969 || me.Number == 1205
	}
	return errors.Is(err, context.DeadlineExceeded)
}

// stepTimeout is the one line for a schema statement stopped at its time limit.
func stepTimeout(step schema.Step, i, n int, stmt string, limit time.Duration, err error) error {
	half := ""
	if i > 0 {
		half = fmt.Sprintf("; statements 1 to %d were applied", i)
	}
	return &formatted{fmt.Sprintf("schema step %s stopped at statement %d of %d (%s): no answer within %s (%s): "+
		"another session holds the table (a long transaction or query), or the cluster cannot complete the schema change; "+
		"find it with SHOW PROCESSLIST on each node%s: the step is safe to run again once it is gone",
		step.Name, i+1, n, firstLine(stmt), limit, lostCause(err), half), err}
}

// firstLine is a statement's first line, for messages.
func firstLine(stmt string) string {
	first, _, _ := strings.Cut(stmt, "\n")
	return strings.TrimRight(strings.TrimSpace(first), " (")
}

// privilegeErrors are the server errors of an account that may not run a statement.
var privilegeErrors = map[uint16]bool{1044: true, 1142: true, 1143: true, 1227: true, 1370: true}

func stepError(step schema.Step, i, n int, stmt string, err error) error {
	first := firstLine(stmt)
	var me *mysql.MySQLError
	if errors.As(err, &me) && privilegeErrors[me.Number] {
		return &formatted{fmt.Sprintf("schema step %s needs a privilege this account lacks (%s: Error %d: %s); "+
			"grant CREATE, ALTER, INDEX, REFERENCES, CREATE VIEW and DROP on the database (docs/operations.md), or run it once with an account that has them",
			step.Name, first, me.Number, me.Message), err}
	}
	half := ""
	if i > 0 {
		half = fmt.Sprintf("; statements 1 to %d were applied: the step is safe to run again once the cause is fixed", i)
	}
	return &formatted{fmt.Sprintf("schema step %s stopped at statement %d of %d (%s): %v%s",
		step.Name, i+1, n, first, FormatError(err), half), err}
}

// DatabaseDomain returns the domain recorded for the database ("" when none is). A
// database from before the record is known by the schema texts it applied then.
func (db *DB) DatabaseDomain(ctx context.Context) (string, error) {
	missing, err := db.MissingTables(ctx, []string{"database_domain", "schema_version"})
	if err != nil {
		return "", err
	}
	has := func(t string) bool {
		for _, m := range missing {
			if m == t {
				return false
			}
		}
		return true
	}
	if has("database_domain") {
		var names []string
		if err := db.pool.SelectContext(ctx, &names, "SELECT domain FROM database_domain ORDER BY domain"); err != nil {
			return "", fmt.Errorf("read database_domain: %w", FormatError(err))
		}
		switch len(names) {
		case 0:
		case 1:
			return names[0], nil
		default:
			return "", mixedDomains(names)
		}
	}
	if !has("schema_version") {
		return "", nil
	}
	var legacy []string
	if err := db.pool.SelectContext(ctx, &legacy, "SELECT DISTINCT name FROM schema_version ORDER BY name"); err != nil {
		return "", fmt.Errorf("read schema_version: %w", FormatError(err))
	}
	var domains []string
	for _, n := range legacy {
		if !schema.IsStepName(n) {
			domains = append(domains, n)
		}
	}
	switch len(domains) {
	case 0:
		return "", nil
	case 1:
		return domains[0], nil
	}
	return "", mixedDomains(domains)
}

func mixedDomains(names []string) error {
	return fmt.Errorf("this database holds the rows of several domains (%s): it cannot be used safely; load each domain into a database of its own",
		strings.Join(names, ", "))
}

// CheckDomain refuses a database that belongs to another domain than want.
func (db *DB) CheckDomain(ctx context.Context, want string) error {
	got, err := db.DatabaseDomain(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", Describe(db.Cfg), err)
	}
	if got != "" && got != want {
		return fmt.Errorf("%s is a %s database, not %s (give -domain %s, or another database)", Describe(db.Cfg), got, want, got)
	}
	return nil
}

// ClaimDomain records domain as the database's when none is recorded yet. The caller
// holds the run lock and has applied the schema.
func (db *DB) ClaimDomain(ctx context.Context, domain, runID string) error {
	_, err := db.pool.ExecContext(ctx, `INSERT INTO database_domain (domain, recorded_at, run_id)
		SELECT ?, UTC_TIMESTAMP(3), ? FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM database_domain)`, domain, runID)
	if err != nil {
		return fmt.Errorf("record the database's domain: %w", FormatError(err))
	}
	return db.CheckDomain(ctx, domain)
}

// Migrate brings the database to the schema of domain: refuses another domain's
// database or a newer schema, applies the pending steps and records the domain. The
// caller holds the run lock (tests that own their database need none).
func (db *DB) Migrate(ctx context.Context, domain, runID string) error {
	st, err := db.domainSchema(ctx, domain)
	if err != nil {
		return err
	}
	if len(st.Unknown) > 0 {
		return st.CheckCurrent(Describe(db.Cfg))
	}
	if err := db.Upgrade(ctx, st); err != nil {
		return err
	}
	return db.ClaimDomain(ctx, domain, runID)
}

// CheckDryRun is what a run that writes nothing (a dry run) asks before reading: the
// schema is the one this program knows, or there is none yet (the run then checks its
// files without the database's rows). Such a run cannot bring an older schema up to
// date, and the error says so. It runs no DDL; the caller checked the domain.
func (db *DB) CheckDryRun(ctx context.Context, domain string) error {
	steps, err := schema.Steps(domain)
	if err != nil {
		return err
	}
	st, err := db.ReadSchemaState(ctx, steps)
	if err != nil || st.Empty {
		return err
	}
	if err := st.CheckCurrent(Describe(db.Cfg)); err != nil {
		return fmt.Errorf("%w (a dry run changes nothing: run once without -dry-run to upgrade)", err)
	}
	return nil
}

// SchemaEmpty reports whether nothing of the toolkit is in the database yet (no
// schema_version table): a dry run there judges the files against no stored row.
func (db *DB) SchemaEmpty(ctx context.Context, domain string) (bool, error) {
	steps, err := schema.Steps(domain)
	if err != nil {
		return false, err
	}
	st, err := db.ReadSchemaState(ctx, steps)
	return st.Empty, err
}

// CheckReadable is what a read-only program asks before reading: the database belongs
// to domain and its schema is exactly the one this program knows. It runs no DDL.
func (db *DB) CheckReadable(ctx context.Context, domain string) error {
	st, err := db.domainSchema(ctx, domain)
	if err != nil {
		return err
	}
	return st.CheckCurrent(Describe(db.Cfg))
}

// domainSchema refuses another domain's database and reads the state of domain's steps.
func (db *DB) domainSchema(ctx context.Context, domain string) (SchemaState, error) {
	if err := db.CheckDomain(ctx, domain); err != nil {
		return SchemaState{}, err
	}
	steps, err := schema.Steps(domain)
	if err != nil {
		return SchemaState{}, err
	}
	return db.ReadSchemaState(ctx, steps)
}
