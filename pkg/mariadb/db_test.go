package mariadb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/mariadb/mariadbtest"
	"dmt/pkg/rules"
)

func TestParseDSNForcesSessionSettings(t *testing.T) {
	t.Parallel()
	cfg, err := ParseDSN("bob:pw@tcp(db.example:3307)/clevity?parseTime=true&charset=latin1&multiStatements=true&loc=Local&sql_mode=%27%27&autocommit=0&interpolateParams=false")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ParseTime || cfg.MultiStatements || cfg.Loc != time.UTC || !cfg.InterpolateParams {
		t.Errorf("ParseTime=%v MultiStatements=%v Loc=%v InterpolateParams=%v", cfg.ParseTime, cfg.MultiStatements, cfg.Loc, cfg.InterpolateParams)
	}
	if cfg.Collation != "utf8mb4_unicode_ci" || cfg.Timeout != 5*time.Second {
		t.Errorf("Collation=%q Timeout=%v", cfg.Collation, cfg.Timeout)
	}
	if got := cfg.Params["sql_mode"]; got != sqlMode {
		t.Errorf("sql_mode = %q", got)
	}
	if got := cfg.Params["time_zone"]; got != "'+00:00'" {
		t.Errorf("time_zone = %q", got)
	}
	if got := cfg.Params["autocommit"]; got != "1" {
		t.Errorf("autocommit = %q", got)
	}
	if dsn := cfg.FormatDSN(); !strings.Contains(dsn, "charset=utf8mb4") || strings.Contains(dsn, "latin1") {
		t.Errorf("charset not forced: %s", dsn)
	}
	cfg, err = ParseDSN("bob:pw@tcp(db.example:3307)/clevity?timeout=2s")
	if err != nil || cfg.Timeout != 2*time.Second {
		t.Errorf("timeout given in the DSN: %v, %v", cfg.Timeout, err)
	}
}

func TestParseDSNErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"bob:s3cret-pw@tcp(host:3306",
		"bob:s3c/ret-pw@tcp(host:3306)",
		"bob:s3cret-pw@tcp(host:3306)",
		"bob:s3cret-pw@tcp(host:3306)/db?parseTime=s3cret-pw",
		"dom/bob:s3cret-pw@tcp(host:3306)", // the driver alone reads "s3cret-pw@tcp(host:3306)" as the database
	} {
		_, err := ParseDSN(dsn)
		if err == nil {
			t.Errorf("ParseDSN(%q) succeeded", dsn)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "invalid DSN") || strings.Contains(msg, "s3cret") ||
			strings.Contains(msg, "ret-pw") {
			t.Errorf("ParseDSN(%q) error = %q", dsn, msg)
		}
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	cfg, err := ParseDSN("bob:s3cret@tcp(127.0.0.1:33061)/clevity")
	if err != nil {
		t.Fatal(err)
	}
	if got := Describe(cfg); got != "127.0.0.1:33061/clevity" {
		t.Errorf("Describe = %q", got)
	}
	if Describe(nil) != "" {
		t.Errorf("Describe(nil) not empty")
	}
}

func TestFormatErrorMessages(t *testing.T) {
	t.Parallel()
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1},
		Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	timeout := &net.OpError{Op: "dial", Net: "tcp", Err: &timeoutErr{}}
	dup := &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'x@y.fr' for key 'uq_clients_email'"}
	other := errors.New("something else")
	cases := []struct {
		in   error
		want string
	}{
		{&mysql.MySQLError{Number: 1045, Message: "Access denied for user 'bob'@'10.0.0.1' (using password: YES)"},
			"access denied for user bob (check the DSN's user and password)"},
		{&mysql.MySQLError{Number: 1049, Message: "Unknown database 'clevity'"}, "database clevity does not exist (check its name; migration -create-db creates it)"},
		{&mysql.MySQLError{Number: 1146, Message: "Table 'clevity.projets' doesn't exist"},
			"missing table: clevity.projets (apply the schema first)"},
		{&mysql.MySQLError{Number: 1142, Message: "INSERT command denied to user 'ro'@'localhost' for table `base1`.`journal`"},
			"the account 'ro'@'localhost' lacks the INSERT privilege on table base1.journal (Error 1142: grant it as docs/operations.md says, or use an account that has it)"},
		{&mysql.MySQLError{Number: 1142, Message: "CREATE command denied to user 'rw'@'%' for table 'run_lease'"},
			"the account 'rw'@'%' lacks the CREATE privilege on table run_lease (Error 1142: grant it as docs/operations.md says, or use an account that has it)"},
		{&mysql.MySQLError{Number: 1143, Message: "SELECT command denied to user 'ro'@'%' for column 'email' in table 'clients'"},
			"the account 'ro'@'%' lacks the SELECT privilege on column email of table clients (Error 1143: grant it as docs/operations.md says, or use an account that has it)"},
		{&mysql.MySQLError{Number: 1044, Message: "Access denied for user 'rw'@'%' to database 'base1'"},
			"the account 'rw'@'%' may not use database base1 (Error 1044: grant it privileges on that database as docs/operations.md says, or check the DSN's database name)"},
		{&mysql.MySQLError{Number: 1227, Message: "Access denied; you need (at least one of) the SUPER privilege(s) for this operation"},
			"the account lacks a privilege: you need (at least one of) the SUPER privilege(s) for this operation (Error 1227)"},
		{dup, dup.Error()},
		{fmt.Errorf("insert: %w", dup), "insert: " + dup.Error()},
		{refused, "cannot reach MariaDB at 127.0.0.1:1: connect: connection refused"},
		{timeout, "cannot reach MariaDB: i/o timeout"},
		{mysql.ErrInvalidConn, "connection to MariaDB lost (killed, cut, or the server restarted: invalid connection); " +
			"what was committed is kept: run the same command again to finish the job"},
		{&mysql.MySQLError{Number: 1927, Message: "Connection was killed"}, "connection to MariaDB lost (killed, cut, or the server restarted: " +
			"Error 1927: Connection was killed); what was committed is kept: run the same command again to finish the job"},
		{&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}, "connection to MariaDB lost (killed, cut, " +
			"or the server restarted: write: broken pipe); what was committed is kept: run the same command again to finish the job"},
		{other, "something else"},
	}
	for _, c := range cases {
		got := FormatError(c.in)
		if got == nil || got.Error() != c.want {
			t.Errorf("FormatError(%v) = %v, want %q", c.in, got, c.want)
			continue
		}
		if !errors.Is(got, c.in) {
			t.Errorf("FormatError(%v) hides the original error", c.in)
		}
		if again := FormatError(got); again.Error() != got.Error() {
			t.Errorf("FormatError twice = %q", again)
		}
	}
	if FormatError(nil) != nil {
		t.Errorf("FormatError(nil) != nil")
	}
	var me *mysql.MySQLError
	if !errors.As(FormatError(&mysql.MySQLError{Number: 1049, Message: "Unknown database 'x'"}), &me) || me.Number != 1049 {
		t.Errorf("errors.As cannot find the MySQLError")
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestIsRetryable(t *testing.T) {
	t.Parallel()
	cases := map[error]bool{
		&mysql.MySQLError{Number: 1213, Message: "Deadlock found"}:    true,
		&mysql.MySQLError{Number: 1205, Message: "Lock wait timeout"}: true,
		fmt.Errorf("tx: %w", &mysql.MySQLError{Number: 1213}):         true,
		mysql.ErrInvalidConn:                   true,
		driver.ErrBadConn:                      true,
		fmt.Errorf("x: %w", driver.ErrBadConn): true,
		&mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}:        false,
		&mysql.MySQLError{Number: 4025, Message: "CONSTRAINT ck_x failed"}: false,
		&mysql.MySQLError{Number: 1045, Message: "Access denied for user"}: false,
		errors.New("deadlock"): false,
		context.Canceled:       false,
	}
	for err, want := range cases {
		if got := IsRetryable(err); got != want {
			t.Errorf("IsRetryable(%v) = %v, want %v", err, got, want)
		}
	}
	if IsRetryable(nil) {
		t.Errorf("IsRetryable(nil)")
	}
}

// TestRecover: each form a broken connection takes reaches LookUp (most are not
// driver.ErrBadConn), rolled-back transactions Redo, and everything else Stops.
func TestRecover(t *testing.T) {
	t.Parallel()
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	cases := []struct {
		err  error
		want Recovery
	}{
		{nil, Stop},
		{&mysql.MySQLError{Number: 1213, Message: "Deadlock found"}, Redo},
		{fmt.Errorf("commit: %w", &mysql.MySQLError{Number: 1213}), Redo},
		{&mysql.MySQLError{Number: 1205, Message: "Lock wait timeout"}, Redo},
		{mysql.ErrInvalidConn, LookUp},
		{fmt.Errorf("load: %w", mysql.ErrInvalidConn), LookUp},
		{driver.ErrBadConn, LookUp},
		{io.ErrUnexpectedEOF, LookUp},
		{io.EOF, LookUp},
		{reset, LookUp},
		{syscall.ECONNREFUSED, LookUp},
		{syscall.EPIPE, LookUp},
		{timeoutErr{}, LookUp},
		{errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer"), LookUp},
		{&mysql.MySQLError{Number: 1927, Message: "Connection was killed"}, LookUp},
		{&mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"}, LookUp},
		{&mysql.MySQLError{Number: 2013, Message: "Lost connection to server during query"}, LookUp},
		{&mysql.MySQLError{Number: 2006, Message: "Server has gone away"}, LookUp},
		{&mysql.MySQLError{Number: 1047, Message: "WSREP has not yet prepared node for application use"}, LookUp},
		{&mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}, Stop},
		{&mysql.MySQLError{Number: 4025, Message: "CONSTRAINT ck_x failed"}, Stop},
		{&mysql.MySQLError{Number: 1045, Message: "Access denied for user"}, Stop},
		{errors.New("deadlock"), Stop},
		{context.Canceled, Stop},
		{context.DeadlineExceeded, Stop},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), Stop},
	}
	for _, c := range cases {
		if got := Recover(c.err); got != c.want {
			t.Errorf("Recover(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// TestOpenErrors opens bad DSNs against the test server: each error is one line that
// says what is wrong and never shows the password.
func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(mariadbtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	wrongPw := cfg.Clone()
	wrongPw.Passwd, wrongPw.DBName = "s3cret-pw", "x"
	wrongUser := cfg.Clone()
	wrongUser.User, wrongUser.Passwd, wrongUser.DBName = "nobody", "s3cret-pw", "x"
	closed := cfg.Clone()
	closed.Addr, closed.DBName = "127.0.0.1:1", "x"
	nodb := cfg.Clone()
	nodb.DBName = ""
	unknown := cfg.Clone()
	unknown.DBName = "no_such_database_here"
	cases := []struct {
		name, dsn, want string
	}{
		{"wrong password", wrongPw.FormatDSN(), "access denied for user " + cfg.User + " (check the DSN's user and password)"},
		{"unknown user", wrongUser.FormatDSN(), "access denied for user nobody"},
		{"closed port", closed.FormatDSN(), "cannot reach MariaDB at 127.0.0.1:1: "},
		{"no database", nodb.FormatDSN(), "no database in DSN (add /NAME)"},
		{"unknown database", unknown.FormatDSN(), "database no_such_database_here does not exist"},
		{"garbage", "::::", "invalid DSN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := Open(ctx, c.dsn)
			if err == nil {
				db.Close()
				t.Fatalf("Open succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || strings.Contains(msg, "s3cret") || strings.Contains(msg, "\n") {
				t.Errorf("Open error = %q, want one line with %q and no password", msg, c.want)
			}
		})
	}
	var me *mysql.MySQLError
	if _, err := Open(ctx, unknown.FormatDSN()); !errors.As(err, &me) || me.Number != 1049 {
		t.Errorf("Open error %v does not keep the server's error", err)
	}
}

func TestOpenSessionSettings(t *testing.T) {
	t.Parallel()
	db, err := Open(context.Background(), mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode, tz, cs, coll string
	if err := db.pool.QueryRow("SELECT @@SESSION.sql_mode, @@SESSION.time_zone, @@character_set_connection, @@collation_connection").
		Scan(&mode, &tz, &cs, &coll); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE", "ERROR_FOR_DIVISION_BY_ZERO", "NO_ENGINE_SUBSTITUTION"} {
		if !strings.Contains(mode, m) {
			t.Errorf("sql_mode %q lacks %s", mode, m)
		}
	}
	if tz != "+00:00" || cs != "utf8mb4" || coll != "utf8mb4_unicode_ci" {
		t.Errorf("time_zone=%q charset=%q collation=%q", tz, cs, coll)
	}
	// Dates come back as text, multiple statements are refused.
	var d any
	if err := db.pool.QueryRow("SELECT CAST('2024-02-29' AS DATE)").Scan(&d); err != nil {
		t.Fatal(err)
	}
	if b, ok := d.([]byte); !ok || string(b) != "2024-02-29" {
		t.Errorf("date scanned as %T %v", d, d)
	}
	if _, err := db.pool.Exec("SELECT 1; SELECT 2"); err == nil {
		t.Errorf("multiple statements accepted")
	}
}

// A DSN cannot turn off the server's integrity checks: the checker's look-up of a
// parent holds only until another client deletes it, the server's check until COMMIT.
func TestOpenKeepsIntegrityChecksOn(t *testing.T) {
	t.Parallel()
	cfg, err := mysql.ParseDSN(mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	for _, v := range []string{"foreign_key_checks", "unique_checks", "check_constraint_checks"} {
		cfg.Params[v] = "0"
	}
	db, err := Open(context.Background(), cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var fk, uq, ck int
	if err := db.pool.QueryRow("SELECT @@SESSION.foreign_key_checks, @@SESSION.unique_checks, @@SESSION.check_constraint_checks").
		Scan(&fk, &uq, &ck); err != nil {
		t.Fatal(err)
	}
	if fk != 1 || uq != 1 || ck != 1 {
		t.Errorf("foreign_key_checks=%d unique_checks=%d check_constraint_checks=%d, want all 1", fk, uq, ck)
	}
	for _, q := range []string{
		"CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB",
		"CREATE TABLE child (id INT PRIMARY KEY, parent INT NOT NULL, CONSTRAINT ck_child_id CHECK (id > 0), " +
			"CONSTRAINT fk_child_parent FOREIGN KEY (parent) REFERENCES parent (id)) ENGINE=InnoDB",
		"INSERT INTO parent VALUES (1)",
	} {
		if _, err := db.pool.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range []string{"INSERT INTO child VALUES (1, 2)", "INSERT INTO child VALUES (-1, 1)"} {
		if _, err := db.pool.Exec(q); err == nil {
			t.Errorf("%s accepted with the DSN's checks off", q)
		}
	}
}

func TestOpenCreateAndDescribe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName += "_created"
	db, err := OpenCreate(ctx, cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		db.pool.Exec("DROP DATABASE " + rules.QuoteIdent(cfg.DBName))
		db.Close()
	}()
	if got := Describe(db.Cfg); got != cfg.Addr+"/"+cfg.DBName {
		t.Errorf("Describe = %q", got)
	}
	var name, coll string
	if err := db.pool.QueryRow("SELECT DATABASE(), @@collation_database").Scan(&name, &coll); err != nil || name != cfg.DBName || coll != "utf8mb4_unicode_ci" {
		t.Errorf("database %q collation %q, %v", name, coll, err)
	}
	again, err := OpenCreate(ctx, cfg.FormatDSN())
	if err != nil {
		t.Fatalf("second OpenCreate: %v", err)
	}
	again.Close()
	withPw := db.Cfg.Clone()
	withPw.Passwd = "s3cret"
	if strings.Contains(Describe(withPw), "s3cret") || strings.Contains(Describe(withPw), withPw.User+":") {
		t.Errorf("Describe shows the user or password: %q", Describe(withPw))
	}
	bad := cfg.Clone()
	bad.DBName = "x`; DROP DATABASE y"
	if db, err := OpenCreate(ctx, bad.FormatDSN()); err == nil || !strings.Contains(err.Error(), "backtick") {
		if db != nil {
			db.Close()
		}
		t.Errorf("OpenCreate with a backtick: %v", err)
	}
}

func TestApplySchemaErrorNamesTheStatement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := `-- a small schema
CREATE TABLE IF NOT EXISTS schema_version (
  name VARCHAR(40) NOT NULL, sha256 CHAR(64) NOT NULL, applied_at DATETIME(3) NOT NULL,
  PRIMARY KEY (name, sha256)
);

CREATE TABLE IF NOT EXISTS bad (
  x NOSUCHTYPE
);
`
	err = db.ApplySchema(ctx, "small", schema)
	if err == nil || !strings.HasPrefix(err.Error(), "apply schema: CREATE TABLE IF NOT EXISTS bad: ") {
		t.Fatalf("ApplySchema error = %v", err)
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number == 0 {
		t.Errorf("ApplySchema error %v does not keep the server's error", err)
	}
	good := strings.Replace(schema, "NOSUCHTYPE", "INT", 1)
	for range 2 {
		if err := db.ApplySchema(ctx, "small", good); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	var applied string
	if err := db.pool.QueryRow("SELECT COUNT(*), MAX(applied_at) FROM schema_version WHERE name = 'small'").Scan(&n, &applied); err != nil || n != 1 {
		t.Errorf("schema_version: %d rows, %v", n, err)
	}
	if at, err := time.Parse("2006-01-02 15:04:05.000", applied); err != nil || time.Since(at).Abs() > time.Hour {
		t.Errorf("applied_at = %q (not UTC now?), %v", applied, err)
	}
}

// A connection killed on a live server (KILL, a proxy, wait_timeout) is said to be lost,
// with what to do, not "cannot reach MariaDB: invalid connection", which sent people
// looking for a server that was there all along.
func TestKilledConnectionIsSaidLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var id int64
	if err := conn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.ExecContext(ctx, fmt.Sprintf("KILL %d", id)); err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(ctx, "SELECT 1")
	if err == nil {
		t.Fatal("a killed connection answered")
	}
	msg := FormatError(err).Error()
	if !strings.Contains(msg, "connection to MariaDB lost") || !strings.Contains(msg, "run the same command again") ||
		strings.Contains(msg, "cannot reach") {
		t.Errorf("FormatError(%v) = %q, want it said lost, and what to do", err, msg)
	}
}
