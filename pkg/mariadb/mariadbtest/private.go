package mariadbtest

import (
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// StartPrivateServer starts a throwaway mariadbd of the test's own, with options added
// to its command line (--max-allowed-packet=1M), and returns the DSN of a fresh database
// on it. Tests of server-wide settings use it: they must never change the shared test
// server's. The server runs from a temporary data folder on a free port and is stopped,
// its folder removed, when the test ends. Without the server binaries the test fails
// when CI is set and is skipped elsewhere, saying why.
func StartPrivateServer(tb testing.TB, options ...string) string {
	tb.Helper()
	mariadbd, err1 := findBin("mariadbd", "mysqld")
	installDB, err2 := findBin("mariadb-install-db", "mysql_install_db")
	if err1 != nil || err2 != nil {
		msg := "no mariadbd or mariadb-install-db for a private server (install mariadb-server)"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	// A short path: the socket's path must fit in 108 bytes.
	dir, err := os.MkdirTemp("", "dmt-srv-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	data := filepath.Join(dir, "data")
	user := currentUser()
	install := exec.Command(installDB, "--no-defaults", "--datadir="+data, "--user="+user,
		"--auth-root-authentication-method=normal", "--skip-test-db")
	if out, err := install.CombinedOutput(); err != nil {
		tb.Fatalf("mariadb-install-db: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--socket=" + filepath.Join(dir, "s.sock"),
		"--pid-file=" + filepath.Join(dir, "s.pid"), "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--user=" + user, "--log-error=" + filepath.Join(dir, "error.log"), "--local-infile=1",
		"--innodb-buffer-pool-size=64M", "--innodb-log-file-size=48M", "--innodb-flush-log-at-trx-commit=2",
		"--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci", "--skip-log-bin"}, options...)
	srv := exec.Command(mariadbd, args...)
	if err := srv.Start(); err != nil {
		tb.Fatalf("start mariadbd: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	tb.Cleanup(func() {
		srv.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			srv.Process.Kill()
			<-done
		}
	})
	cfg := mysql.NewConfig()
	cfg.User, cfg.Net, cfg.Addr = "root", "unix", filepath.Join(dir, "s.sock")
	deadline := time.Now().Add(90 * time.Second)
	for {
		db, err := sql.Open("mysql", cfg.FormatDSN())
		if err == nil {
			err = db.Ping()
			if err == nil {
				// The programs connect over TCP as root@127.0.0.1.
				for _, q := range []string{"CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''",
					"GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION",
					"CREATE DATABASE t CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"} {
					if _, err = db.Exec(q); err != nil {
						break
					}
				}
			}
			db.Close()
			if err == nil {
				break
			}
		}
		select {
		case werr := <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			tb.Fatalf("private mariadbd exited (%v): %s", werr, log)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("private mariadbd did not answer within 90 s: %v", err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	tcp := mysql.NewConfig()
	tcp.User, tcp.Net, tcp.Addr, tcp.DBName = "root", "tcp", fmt.Sprintf("127.0.0.1:%d", port), "t"
	return tcp.FormatDSN()
}

func findBin(names ...string) (string, error) {
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
	return "", fmt.Errorf("none of %v found", names)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// currentUser is the account mariadbd runs as: it refuses to run as root unless told
// --user=root.
func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if os.Getuid() == 0 {
		return "root"
	}
	out, err := exec.Command("id", "-un").Output()
	if err != nil {
		return "root"
	}
	return string(out[:len(out)-1])
}
