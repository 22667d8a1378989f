// Package redact takes passwords out of a command line before it is recorded (in the
// journal, a report, a log), so that what people and scripts read back never holds one.
// It lives apart from pkg/cli so that the engine (pkg/migrate) and the programs share
// it, and it knows DSNs by their shape alone, without the database driver.
package redact

import "strings"

// Mask replaces a password.
const Mask = "xxxxx"

// Args returns a copy of args (a program's command line, flags included) with the
// password of every DSN replaced by Mask: the value of -dsn or --dsn (as the next
// argument or after "="), and any other argument, or flag value after "=", that reads
// as a DSN with a password (user:password@net(addr)/name). A -dsn value that does not
// read as a DSN but holds an "@" is masked whole: it may be a mistyped DSN.
func Args(args []string) []string {
	out := make([]string, len(args))
	dsnNext := false
	for i, a := range args {
		switch {
		case dsnNext:
			dsnNext = false
			out[i] = dsnValue(a)
			continue
		case a == "-dsn" || a == "--dsn":
			dsnNext = true
			out[i] = a
			continue
		}
		if name, value, ok := strings.Cut(a, "="); ok && strings.HasPrefix(name, "-") {
			if name == "-dsn" || name == "--dsn" {
				out[i] = name + "=" + dsnValue(value)
			} else {
				out[i] = name + "=" + DSN(value)
			}
			continue
		}
		out[i] = DSN(a)
	}
	return out
}

// dsnValue is the value of a -dsn flag, its password masked.
func dsnValue(v string) string {
	if _, _, shaped := password(v); shaped {
		return DSN(v)
	}
	if strings.Contains(v, "@") {
		return Mask
	}
	return v
}

// DSN returns s with its password replaced by Mask when s reads as a DSN with a
// password, and s unchanged otherwise. The password is found as the driver finds it:
// after the first ":" of what precedes the last "@" before the last "/", so it may
// itself hold "@", ":" or "/".
func DSN(s string) string {
	i, j, _ := password(s)
	if i == j {
		return s
	}
	return s[:i] + Mask + s[j:]
}

// password returns the bounds [i, j) of the password in dsn (i == j when it holds none),
// and whether dsn has the shape of a DSN with a user (an "@" before a "/").
func password(dsn string) (i, j int, shaped bool) {
	slash := strings.LastIndex(dsn, "/")
	if slash < 0 {
		return 0, 0, false
	}
	at := strings.LastIndex(dsn[:slash], "@")
	if at < 0 {
		return 0, 0, false
	}
	colon := strings.Index(dsn[:at], ":")
	if colon < 0 {
		return 0, 0, true
	}
	return colon + 1, at, true
}
