package mariadb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"

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
			user := quotedInMessage(me.Message)
			if user != "" {
				user = " " + user
			}
			return &formatted{"access denied for user" + user + " (check the DSN's user and password)", err}
		case 1049:
			if db := quotedInMessage(me.Message); db != "" {
				return &formatted{"database " + db + " does not exist (check its name; migration -create-db creates it)", err}
			}
			return &formatted{"unknown database: " + me.Message, err}
		case 1146:
			if t := quotedInMessage(me.Message); t != "" {
				return &formatted{"missing table: " + t + " (apply the schema first)", err}
			}
			return &formatted{"missing table: " + me.Message, err}
		case 1044, 1142, 1143, 1227:
			return &formatted{denied(me), err}
		case 1927, 1053, 2006, 2013:
			return &formatted{lostMessage(err), err}
		}
		if privilegeErrors[me.Number] {
			// The server names the command and the table; say what to do about it.
			return &formatted{"this account lacks a privilege: " + me.Message + " (grant it as docs/operations.md says)", err}
		}
		return err // 1062 and the others: the server's message says it
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		cause := err.Error()
		if oe.Err != nil {
			cause = oe.Err.Error()
		}
		if oe.Op != "dial" {
			// The connection was there and broke: not a server out of reach.
			return &formatted{lostMessage(err), err}
		}
		if oe.Addr != nil {
			return &formatted{"cannot reach MariaDB at " + oe.Addr.String() + ": " + cause, err}
		}
		return &formatted{"cannot reach MariaDB: " + cause, err}
	}
	var ne net.Error
	if errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &formatted{lostMessage(err), err}
	}
	if errors.As(err, &ne) {
		return &formatted{"cannot reach MariaDB: " + err.Error(), err}
	}
	return err
}

// IsDenied reports whether err is the server refusing a statement to this account (a
// privilege it lacks) or to every account (a read-only server): not a fault of the
// data or of the connection.
func IsDenied(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (privilegeErrors[me.Number] || me.Number == 1290)
}

// denied says which privilege an account lacks, and where, from the server's message:
// "INSERT command denied to user 'ro'@'localhost' for table `base1`.`journal`" (1142;
// 1143 names a column), "Access denied for user 'u'@'%' to database 'base1'" (1044),
// "Access denied; you need (at least one of) the SUPER privilege(s) for this
// operation" (1227).
func denied(me *mysql.MySQLError) string {
	msg := me.Message
	account := ""
	if i := strings.Index(msg, " user "); i >= 0 {
		rest := msg[i+len(" user "):]
		if j := strings.Index(rest, " "); j >= 0 {
			account = " " + rest[:j]
		} else {
			account = " " + rest
		}
	}
	unquote := func(s string) string { return strings.NewReplacer("`", "", "'", "").Replace(strings.TrimSpace(s)) }
	switch me.Number {
	case 1142, 1143:
		command, _, _ := strings.Cut(msg, " command denied")
		where := ""
		if _, t, ok := strings.Cut(msg, " for table "); ok {
			where = " on table " + unquote(t)
		}
		if _, c, ok := strings.Cut(msg, " for column "); ok {
			col, t, _ := strings.Cut(c, " in table ")
			where = " on column " + unquote(col) + " of table " + unquote(t)
		}
		return fmt.Sprintf("the account%s lacks the %s privilege%s (Error %d: grant it as docs/operations.md says, or use an account that has it)",
			account, command, where, me.Number)
	case 1044:
		db := ""
		if _, d, ok := strings.Cut(msg, " to database "); ok {
			db = " " + unquote(d)
		}
		return fmt.Sprintf("the account%s may not use database%s (Error 1044: grant it privileges on that database as docs/operations.md says, or check the DSN's database name)",
			account, db)
	}
	need := strings.TrimPrefix(msg, "Access denied; ")
	return fmt.Sprintf("the account lacks a privilege: %s (Error %d)", need, me.Number)
}

// lostMessage is the line for a connection that broke while in use: the driver then
// says only "invalid connection", which reads as a server out of reach, when the usual
// cause is a connection killed (KILL, a proxy, wait_timeout) or a server restarted.
func lostMessage(err error) string {
	return "connection to MariaDB lost (killed, cut, or the server restarted: " + lostCause(err) +
		"); what was committed is kept: run the same command again to finish the job"
}

// lostCause is the driver's or the system's word for a lost connection, without the
// addresses a net.OpError repeats.
func lostCause(err error) string {
	var me *mysql.MySQLError
	var oe *net.OpError
	switch {
	case errors.As(err, &me):
		return "Error " + strconv.Itoa(int(me.Number)) + ": " + me.Message
	case errors.As(err, &oe) && oe.Err != nil:
		return oe.Err.Error()
	}
	return err.Error()
}

// formatted is an error with a message of its own that keeps the driver's error
// reachable: the driver's text may name hosts or repeat itself, not the message.
type formatted struct {
	msg string
	err error
}

func (e *formatted) Error() string { return e.msg }
func (e *formatted) Unwrap() error { return e.err }

// quotedInMessage returns the first '...' of a server message ("Unknown database 'x'" gives x).
func quotedInMessage(msg string) string {
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

// Recovery is what a failed transaction calls for; Recover decides it.
type Recovery int

const (
	// Stop: the error stands (a rule, the schema, a privilege, a cancelled context).
	Stop Recovery = iota
	// Redo: the server rolled the whole transaction back (deadlock or Galera
	// certification failure, lock wait timeout) and the connection is fine: run it again.
	Redo
	// LookUp: the connection broke or the server ended the session, or the Galera node
	// left the primary component (1047, or 1180 at COMMIT during a view change), or no
	// node is ready, or a batch got no answer within BatchWithin (its connection was
	// closed). A statement in flight, COMMIT included, may or may not have been
	// applied: only a fresh connection, to a ready node, can tell (a batch looks its
	// journal_batches row up), and a blind retry could write the transaction twice.
	LookUp
	// Split: the transaction is over a Galera write-set limit (wsrep_max_ws_rows,
	// wsrep_max_ws_size) and was rolled back whole: it fits only in smaller pieces.
	Split
)

// lostConnection are the server errors that end the session: the server went away or
// lost the connection (2006, 2013, as the client library numbers them), the connection
// was killed (1927) or the server is shutting down (1053), or the Galera node stopped
// serving (1047, 08S01): on another connection, perhaps to another node, the outcome
// can be read.
var lostConnection = map[uint16]bool{1047: true, 1053: true, 1927: true, 2006: true, 2013: true}

// Recover classifies err, the one place that knows which driver errors mean what. The
// Go driver reports a broken connection in many forms (mysql.ErrInvalidConn, io errors,
// net errors, "connection reset by peer"), and errors.Is(err, driver.ErrBadConn) is
// false for most of them, so each form is tested.
func Recover(err error) Recovery {
	if errors.As(err, new(*stalled)) {
		return LookUp
	}
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Stop
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch {
		case me.Number == 1213 || me.Number == 1205:
			return Redo
		case lostConnection[me.Number]:
			return LookUp
		case overWriteSet(me):
			return Split
		case me.Number == 1180 && notPrimary(me.Message):
			return LookUp
		}
		return Stop
	}
	var nr *NoReadyNode
	if errors.As(err, &nr) {
		return LookUp
	}
	var ne net.Error
	switch {
	case errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, driver.ErrBadConn),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.As(err, &ne):
		return LookUp
	}
	msg := err.Error()
	for _, s := range []string{"connection reset", "broken pipe", "connection refused", "invalid connection", "bad connection"} {
		if strings.Contains(msg, s) {
			return LookUp
		}
	}
	return Stop
}

// overWriteSet reports whether me is Galera refusing a transaction over one of its
// write-set limits: "1180 wsrep_max_ws_rows exceeded", "1105 Maximum writeset size
// exceeded".
func overWriteSet(me *mysql.MySQLError) bool {
	return (me.Number == 1180 && strings.Contains(me.Message, "wsrep_max_ws_rows")) ||
		(me.Number == 1105 && strings.Contains(strings.ToLower(me.Message), "writeset size"))
}

// notPrimary reports whether a COMMIT error (1180) says that the Galera node was not in
// the primary component: "Error while appending streaming replication fragment(provider
// status: Not connected to Primary Component)", or the like during a view change. The
// transaction was rolled back; once the view settles it can be redone.
func notPrimary(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "primary component") || strings.Contains(m, "provider status") || strings.Contains(m, "wsrep")
}

// IsRetryable reports whether err is worth running a transaction again for: a
// deadlock or a Galera certification failure (1213), a lock wait timeout (1205), or a
// lost connection. After a lost connection the transaction may have committed: only a
// transaction that can safely be applied twice may be retried blindly (LoadBatch looks
// its marker up first, see Recover).
func IsRetryable(err error) bool {
	r := Recover(err)
	return r == Redo || r == LookUp
}
