package mariadb

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/rules"
)

// The client programs of Debian's mariadb-client package that Dump and Restore run.
const (
	DumpTool   = "mariadb-dump"
	ClientTool = "mariadb"
)

// ErrDiskFull is returned, wrapped, when a write ran out of space.
var ErrDiskFull = errors.New("disk full")

// missingTool says which client program is missing and how to get it.
func missingTool(name string) error {
	return fmt.Errorf("%s not found on PATH (install it: apt-get install mariadb-client)", name)
}

// LookTool returns the path of a client program (DumpTool, ClientTool), or an error
// saying how to install it.
func LookTool(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", missingTool(name)
	}
	return path, nil
}

// Dump writes an SQL dump of the database to w with mariadb-dump: one consistent
// snapshot (--single-transaction, so no table is locked and no LOCK TABLES privilege is
// needed), tables with their rows, views, routines and triggers, binary columns in hex
// (--hex-blob). tables limits it to those (every table and view when empty). The dump
// names no database (no CREATE DATABASE, no USE), so it restores into any.
//
// The account and password reach mariadb-dump through an options file readable by its
// owner only, in a temporary folder removed afterwards (--defaults-extra-file): never
// its command line, nor its environment, which holds neither MARIADB_DSN nor MYSQL_PWD.
// With a node list in the DSN it dumps from the first node that answers and is ready.
// An error carries mariadb-dump's first line ("... denied ..." for a missing privilege);
// a write to w that runs out of space wraps ErrDiskFull.
func (db *DB) Dump(ctx context.Context, w io.Writer, tables []string) error {
	tool, cfg, opts, cleanup, err := db.clientTool(ctx, DumpTool)
	if err != nil {
		return err
	}
	defer cleanup()
	args := []string{"--defaults-extra-file=" + opts, // must come first
		"--single-transaction", "--routines", "--triggers", "--hex-blob", "--no-tablespaces",
		"--default-character-set=utf8mb4", "--", cfg.DBName}
	args = append(args, tables...)
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Env = childEnv(cfg.Passwd)
	var stderr bytes.Buffer
	cmd.Stderr = &limited{w: &stderr, n: 8 << 10}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", DumpTool, err)
	}
	_, copyErr := io.Copy(w, out)
	if copyErr != nil {
		// The output cannot take more: stop the dump rather than let it block.
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	switch {
	case copyErr != nil && errors.Is(copyErr, syscall.ENOSPC):
		return fmt.Errorf("%w: %v", ErrDiskFull, copyErr)
	case copyErr != nil:
		return copyErr
	case ctx.Err() != nil:
		return ctx.Err()
	case waitErr != nil:
		return toolError(DumpTool, waitErr, stderr.String())
	}
	return nil
}

// Restore executes a dump read from r in database with the mariadb client, the account
// passed as Dump passes it. The DEFINER of views, triggers and routines is left out,
// so they belong to the restoring account, which needs no SET USER privilege; the
// views are SQL SECURITY INVOKER, so they mean the same for it.
func (db *DB) Restore(ctx context.Context, r io.Reader, database string) error {
	tool, cfg, opts, cleanup, err := db.clientTool(ctx, ClientTool)
	if err != nil {
		return err
	}
	defer cleanup()
	cmd := exec.CommandContext(ctx, tool, "--defaults-extra-file="+opts, "--batch", "--default-character-set=utf8mb4", "--", database)
	cmd.Env = childEnv(cfg.Passwd)
	var stderr bytes.Buffer
	cmd.Stderr = &limited{w: &stderr, n: 8 << 10}
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", ClientTool, err)
	}
	copyErr := withoutDefiners(in, r)
	in.Close()
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case waitErr != nil:
		return toolError(ClientTool, waitErr, stderr.String())
	case copyErr != nil:
		return fmt.Errorf("read the dump: %w", copyErr)
	}
	return nil
}

// definer matches the DEFINER clause mariadb-dump writes for views, triggers and routines.
var definer = regexp.MustCompile("DEFINER=(`[^`]*`|[^ @]*)@(`[^`]*`|[^ */]*) ?")

// withoutDefiners copies the dump r to w line by line, dropping the DEFINER clauses
// of the lines that create views, triggers and routines.
func withoutDefiners(w io.Writer, r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A long line (rows of a table) holds no clause to drop: copy it through.
			if _, werr := w.Write(line); werr != nil {
				return werr
			}
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				if _, werr := w.Write(line); werr != nil {
					return werr
				}
			}
		} else {
			// Statements, not rows: rows start with INSERT or "(" and keep their text.
			if (bytes.HasPrefix(line, []byte("/*!")) || bytes.HasPrefix(line, []byte("CREATE "))) && bytes.Contains(line, []byte("DEFINER=")) {
				line = definer.ReplaceAll(line, nil)
			}
			if _, werr := w.Write(line); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// toolError makes one line of a client program's failure: its first message line,
// with what the account needs when it was refused a privilege.
func toolError(tool string, err error, stderr string) error {
	// The client echoes the failed statement between lines of dashes before its
	// "ERROR ..." line: that line, when there is one, else the first message.
	msg := ""
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "ERROR ") {
			msg = line
			break
		}
		if msg == "" && line != "" && !strings.HasPrefix(line, "Warning") && strings.Trim(line, "-") != "" {
			msg = line
		}
	}
	if msg == "" {
		return fmt.Errorf("%s: %v", tool, err)
	}
	if i := strings.Index(msg, tool+": "); i >= 0 && !strings.Contains(msg[:i], " ") {
		msg = msg[i+len(tool)+2:] // "/usr/bin/mariadb-dump: ..."
	}
	if strings.Contains(msg, "denied") || strings.Contains(msg, " (1044)") || strings.Contains(msg, " (1142)") {
		return fmt.Errorf("%s: %s: the account lacks a privilege (it needs SELECT, SHOW VIEW and TRIGGER on the database; for -verify, every privilege on the scratch databases NAME_verify_%%)", tool, msg)
	}
	return fmt.Errorf("%s: %s", tool, msg)
}

// readyNode returns cfg for one server: itself for a single address, else a copy
// addressed to the first node of the list that answers and, on Galera, is ready
// (wsrep_ready ON and Synced, see cluster).
func readyNode(ctx context.Context, cfg *mysql.Config) (*mysql.Config, error) {
	if len(Nodes(cfg)) == 1 {
		return cfg, nil
	}
	db, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	c := cfg.Clone()
	c.Addr = db.cluster.addr()
	return c, nil
}

// writeClientOptions writes the account and the server address of cfg into an options
// file that only its owner can read, in a new temporary folder; cleanup removes both.
func writeClientOptions(cfg *mysql.Config) (path string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "dmt-client-")
	if err != nil {
		return "", nil, fmt.Errorf("options file: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	var b strings.Builder
	b.WriteString("[client]\n")
	fmt.Fprintf(&b, "user=%s\n", optionValue(cfg.User))
	fmt.Fprintf(&b, "password=%s\n", optionValue(cfg.Passwd))
	switch cfg.Net {
	case "unix":
		fmt.Fprintf(&b, "socket=%s\nprotocol=SOCKET\n", optionValue(cfg.Addr))
	default:
		host, port, err := net.SplitHostPort(cfg.Addr)
		if err != nil {
			host, port = cfg.Addr, "3306"
		}
		fmt.Fprintf(&b, "host=%s\nport=%s\nprotocol=TCP\n", optionValue(host), port)
	}
	path = filepath.Join(dir, "client.cnf")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("options file: %w", err)
	}
	return path, cleanup, nil
}

// optionValue quotes a value for an options file, escaping what the file's reader
// would take for an escape, a quote or a comment.
func optionValue(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// childEnv is this process's environment without what may hold the password: the
// DSN variable, the client's own password variables, and any DSN holding it.
func childEnv(password string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if k == "MARIADB_DSN" || k == "MYSQL_PWD" || k == "MARIADB_PWD" || (password != "" && strings.Contains(v, ":"+password+"@")) {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// limited keeps the first n bytes written to it and discards the rest.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}

// TableSum is what -verify compares of a table or view: its rows and, for a table,
// CHECKSUM TABLE.
type TableSum struct {
	Name     string
	View     bool
	Rows     int64
	Checksum int64
}

// TableSums returns, for each table and view of database (or of those named), its row
// count and, for a table, its CHECKSUM TABLE, in name order.
func (db *DB) TableSums(ctx context.Context, database string, names []string) ([]TableSum, error) {
	var list []struct {
		Name string `db:"table_name"`
		Type string `db:"table_type"`
	}
	if err := db.pool.SelectContext(ctx, &list, "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name", database); err != nil {
		return nil, fmt.Errorf("list the tables of %s: %w", database, FormatError(err))
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var sums []TableSum
	for _, t := range list {
		if len(names) > 0 && !want[t.Name] {
			continue
		}
		s := TableSum{Name: t.Name, View: t.Type == "VIEW"}
		q := rules.QuoteIdent(database) + "." + rules.QuoteIdent(t.Name)
		if err := db.pool.GetContext(ctx, &s.Rows, "SELECT COUNT(*) FROM "+q); err != nil {
			return nil, fmt.Errorf("count %s.%s: %w", database, t.Name, FormatError(err))
		}
		if !s.View {
			var name string
			var sum *int64
			if err := db.pool.QueryRowContext(ctx, "CHECKSUM TABLE "+q).Scan(&name, &sum); err != nil {
				return nil, fmt.Errorf("checksum %s.%s: %w", database, t.Name, FormatError(err))
			}
			if sum != nil {
				s.Checksum = *sum
			}
		}
		sums = append(sums, s)
	}
	return sums, nil
}

// CreateScratch creates database, which must not exist, with the character set and
// collation of the connected database: the place -verify restores a dump into.
func (db *DB) CreateScratch(ctx context.Context, database string) error {
	var cs, coll string
	if err := db.pool.QueryRowContext(ctx, "SELECT default_character_set_name, default_collation_name FROM information_schema.schemata WHERE schema_name = DATABASE()").Scan(&cs, &coll); err != nil {
		return fmt.Errorf("read the database's character set: %w", FormatError(err))
	}
	if _, err := db.pool.ExecContext(ctx, "CREATE DATABASE "+rules.QuoteIdent(database)+" CHARACTER SET "+rules.QuoteIdent(cs)+" COLLATE "+rules.QuoteIdent(coll)); err != nil {
		return fmt.Errorf("create scratch database %s: %w", database, FormatError(err))
	}
	return nil
}

// DropScratch drops a database CreateScratch made, with a context of its own so that
// an interrupted run still removes it.
func (db *DB) DropScratch(database string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.pool.ExecContext(ctx, "DROP DATABASE IF EXISTS "+rules.QuoteIdent(database)); err != nil {
		return fmt.Errorf("drop scratch database %s: %w", database, FormatError(err))
	}
	return nil
}

// clientTool finds one of MariaDB's command-line tools, the node it is to talk to (the
// first ready one of a node list) and writes the owner-only options file that gives it
// the account: what Dump and Restore both need before they run it. cleanup removes the
// options file.
func (db *DB) clientTool(ctx context.Context, name string) (tool string, cfg *mysql.Config, opts string, cleanup func(), err error) {
	if tool, err = LookTool(name); err != nil {
		return "", nil, "", nil, err
	}
	if cfg, err = readyNode(ctx, db.Cfg); err != nil {
		return "", nil, "", nil, err
	}
	if opts, cleanup, err = writeClientOptions(cfg); err != nil {
		return "", nil, "", nil, err
	}
	return tool, cfg, opts, cleanup, nil
}
