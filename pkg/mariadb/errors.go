package mariadb

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/go-sql-driver/mysql"
)

func sqlOpenDB(c driver.Connector) *sql.DB { return sql.OpenDB(c) }

// FormatError turns a driver error into one line a person can act on: access denied,
// unknown database, server unreachable. The original stays reachable with errors.As.
func FormatError(err error) error {
	if err == nil {
		return nil
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1045:
			user := ""
			if i := strings.Index(me.Message, "'"); i >= 0 {
				if j := strings.Index(me.Message[i+1:], "'"); j >= 0 {
					user = " " + me.Message[i+1:i+1+j]
				}
			}
			return fmt.Errorf("access denied for user%s (check the user and password of the DSN): %w", user, errNoDetail{err})
		case 1049:
			return fmt.Errorf("unknown database: %s", me.Message)
		case 1146:
			return fmt.Errorf("missing table: %s (apply the schema first)", me.Message)
		}
		return err
	}
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &oe):
		addr := ""
		if oe.Addr != nil {
			addr = " at " + oe.Addr.String()
		}
		return fmt.Errorf("cannot reach MariaDB%s: %v", addr, oe.Err)
	case errors.As(err, &ne), errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, driver.ErrBadConn):
		return fmt.Errorf("cannot reach MariaDB: %w", err)
	}
	return err
}

// errNoDetail keeps an error reachable with errors.As without printing its text (the
// server's access-denied message names the host, which adds nothing).
type errNoDetail struct{ err error }

func (e errNoDetail) Error() string { return "refused by the server" }
func (e errNoDetail) Unwrap() error { return e.err }

// IsRetryable reports whether err is worth running the transaction again for: a
// deadlock or a Galera certification failure (1213), a lock wait timeout (1205), or a
// connection lost between statements.
func IsRetryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205
	}
	return errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn)
}
