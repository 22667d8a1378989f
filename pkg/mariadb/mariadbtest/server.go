package mariadbtest

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Server is a throwaway MariaDB server of one test's own: tests that change server-wide
// settings (init_connect, max_allowed_packet, sql_mode, wait_timeout) run against one,
// never against the shared test server.
type Server struct {
	// DSN is root's, over TCP on 127.0.0.1, without a database name.
	DSN string
	// Dir holds the data folder, the server's temporary folder (tmp) and its log
	// (mariadbd.log).
	Dir string
}

// StartServer installs a fresh data folder in a temporary folder of the test, starts
// mariadbd on it with --no-defaults, a free port on 127.0.0.1, a socket of its own and
// the extra options given (e.g. "--init-connect=SET autocommit=0"), waits until it
// answers, and stops it when the test ends. Starting one takes seconds: the test is
// skipped with -short, and, without the server binaries, skipped saying why (failed
// when CI is set).
func StartServer(tb testing.TB, options ...string) *Server {
	tb.Helper()
	if testing.Short() {
		tb.Skip("starts a private MariaDB server: skipped with -short")
	}
	mariadbd, err1 := findBinary("mariadbd", "mysqld")
	installDB, err2 := findBinary("mariadb-install-db", "mysql_install_db")
	if err := firstError(err1, err2); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("private MariaDB server: %v", err)
		}
		tb.Skipf("private MariaDB server: %v (install mariadb-server)", err)
	}
	me, err := user.Current()
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	data := filepath.Join(dir, "data")
	// A socket path must stay under about 100 bytes: it gets a short folder of its own.
	sockDir, err := os.MkdirTemp("", "mdb")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(sockDir) })
	sock := filepath.Join(sockDir, "s")

	install := exec.Command(installDB, "--no-defaults", "--datadir="+data, "--user="+me.Username,
		"--auth-root-authentication-method=normal", "--skip-test-db")
	if out, err := install.CombinedOutput(); err != nil {
		tb.Fatalf("%s: %v\n%s", installDB, err, out)
	}
	port, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	logPath := filepath.Join(dir, "mariadbd.log")
	// A temporary folder of its own: a server deletes every #sql* file of its tmpdir as
	// it starts, so one sharing /tmp would delete the temporary tables that the shared
	// test server (and every other server) is using, failing their queries.
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		tb.Fatal(err)
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp, "--socket=" + sock, "--pid-file=" + filepath.Join(dir, "mariadbd.pid"),
		"--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1", "--user=" + me.Username, "--log-error=" + logPath,
		"--local-infile=1", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
		"--innodb-buffer-pool-size=32M", "--performance-schema=OFF"}, options...)
	cmd := exec.Command(mariadbd, args...)
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", mariadbd, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})

	// Root may log in over the socket; it is given the same rights from 127.0.0.1.
	local := mysql.NewConfig()
	local.User, local.Net, local.Addr = "root", "unix", sock
	admin, err := sql.Open("mysql", local.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		err := admin.Ping()
		if err == nil {
			break
		}
		select {
		case <-exited:
			tb.Fatalf("mariadbd %s stopped: %s", strings.Join(options, " "), tail(logPath))
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("mariadbd did not answer within 90 s: %v: %s", err, tail(logPath))
		}
	}
	for _, q := range []string{"CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''",
		"GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION"} {
		if _, err := admin.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	return &Server{DSN: fmt.Sprintf("root@tcp(127.0.0.1:%d)/", port), Dir: dir}
}

// findBinary looks for the first of names on PATH and in the usual sbin folders, as
// scripts/mariadb-local.sh does.
func findBinary(names ...string) (string, error) {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
		for _, d := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/usr/local/mysql/bin"} {
			p := filepath.Join(d, name)
			if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("none of %s found", strings.Join(names, ", "))
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// freePort returns a TCP port of 127.0.0.1 that nothing listened on a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last lines of the server's log, for a test's failure message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// NewAccount creates, on the server adminDSN names, an account that has privileges
// ("ALL", or a list such as "SELECT, INSERT, UPDATE, DELETE") on the database dsn
// names and nothing else (in particular not SUPER, so the server's init_connect runs
// for it), and returns a DSN for it. The account is dropped when the test ends.
func NewAccount(tb testing.TB, adminDSN, dsn, privileges string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("parse test DSN: %v", err)
	}
	admin, err := sql.Open("mysql", adminDSN)
	if err != nil {
		tb.Fatalf("open test server: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	user := "a_" + hex.EncodeToString(b[:])
	const password = "Pw-0123456789"
	// The user name is hex digits, the database's name the test's letters and digits.
	for _, host := range []string{"%", "localhost"} {
		account := "'" + user + "'@'" + host + "'"
		for _, q := range []string{"CREATE USER " + account + " IDENTIFIED BY '" + password + "'",
			"GRANT " + privileges + " ON `" + cfg.DBName + "`.* TO " + account} {
			if _, err := admin.Exec(q); err != nil {
				tb.Fatalf("%s: %v", q, err)
			}
		}
	}
	tb.Cleanup(func() {
		db, err := sql.Open("mysql", adminDSN)
		if err != nil {
			return
		}
		defer db.Close()
		for _, host := range []string{"%", "localhost"} {
			db.Exec("DROP USER IF EXISTS '" + user + "'@'" + host + "'")
		}
	})
	cfg.User, cfg.Passwd = user, password
	return cfg.FormatDSN()
}

// NewAccountWithout creates, on the server adminDSN names, an account that may read every
// table and view of the database dsn names but column of table (a DBA keeping personal
// data from a validation account: it holds SELECT on that table's other columns), and
// INSERT and UPDATE on each of writable, and returns a DSN for it. The account is dropped
// when the test ends.
func NewAccountWithout(tb testing.TB, adminDSN, dsn, table, column string, writable ...string) string {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("parse test DSN: %v", err)
	}
	db, err := sql.Open("mysql", adminDSN)
	if err != nil {
		tb.Fatalf("open test server: %v", err)
	}
	defer db.Close()
	names := func(q string, args ...any) []string {
		rows, err := db.Query(q, args...)
		if err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				tb.Fatal(err)
			}
			out = append(out, "`"+n+"`")
		}
		return out
	}
	tables := names("SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name <> ?", cfg.DBName, table)
	columns := names("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name <> ?",
		cfg.DBName, table, column)
	account := NewAccount(tb, adminDSN, dsn, "SHOW VIEW") // on the database itself: nothing to read
	acc, err := mysql.ParseDSN(account)
	if err != nil {
		tb.Fatal(err)
	}
	in := func(t string) string { return "`" + cfg.DBName + "`." + t }
	for _, host := range []string{"%", "localhost"} {
		who := " TO '" + acc.User + "'@'" + host + "'"
		grants := []string{"GRANT SELECT (" + strings.Join(columns, ", ") + ") ON " + in("`"+table+"`") + who}
		for _, t := range tables {
			grants = append(grants, "GRANT SELECT ON "+in(t)+who)
		}
		for _, t := range writable {
			grants = append(grants, "GRANT INSERT, UPDATE ON "+in("`"+t+"`")+who)
		}
		for _, g := range grants {
			if _, err := db.Exec(g); err != nil {
				tb.Fatalf("%s: %v", g, err)
			}
		}
	}
	return account
}
