package mariadb

import (
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// FormatError turns a driver error into one line a person can act on: access denied,
// unknown database, missing table, server unreachable. The original error stays
// reachable with errors.As and errors.Is. Other errors, and nil, come back unchanged.
func FormatError(err error) error {
	if err == nil {
		return nil
	}
	if _, done := err.(*formatted); done {
		return err
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1045, 1698:
			user := quoted(me.Message)
			if user != "" {
				user = " " + user
			}
			return &formatted{"access denied for user" + user + " (check the DSN's user and password)", err}
		case 1049:
			if db := quoted(me.Message); db != "" {
				return &formatted{"database " + db + " does not exist (check its name; migration -create-db creates it)", err}
			}
			return &formatted{"unknown database: " + me.Message, err}
		case 1146:
			if t := quoted(me.Message); t != "" {
				return &formatted{"missing table: " + t + " (apply the schema first)", err}
			}
			return &formatted{"missing table: " + me.Message, err}
		}
		return err // 1062 and the others: the server's message says it
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		cause := err.Error()
		if oe.Err != nil {
			cause = oe.Err.Error()
		}
		if oe.Addr != nil {
			return &formatted{"cannot reach MariaDB at " + oe.Addr.String() + ": " + cause, err}
		}
		return &formatted{"cannot reach MariaDB: " + cause, err}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) {
		return &formatted{"cannot reach MariaDB: " + err.Error(), err}
	}
	return err
}

// formatted is an error with a message of its own that keeps the driver's error
// reachable: the driver's text may name hosts or repeat itself, not the message.
type formatted struct {
	msg string
	err error
}

func (e *formatted) Error() string { return e.msg }
func (e *formatted) Unwrap() error { return e.err }

// quoted returns the first '...' of a server message ("Unknown database 'x'" gives x).
func quoted(msg string) string {
	_, rest, ok := strings.Cut(msg, "'")
	if !ok {
		return ""
	}
	s, _, ok := strings.Cut(rest, "'")
	if !ok {
		return ""
	}
	return s
}

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
