package mariadb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/go-sql-driver/mysql"

	"dmt/pkg/store"
)

// A DSN may list several servers, the nodes of a MariaDB Galera cluster:
// user:pw@tcp(h1:3306,h2:3306,h3:3306)/db. The driver takes one address, so ParseDSN
// keeps the list in Config.Addr, joined by commas and each with its port, and open
// gives such a DB a cluster connector: every connection goes to one node at a time,
// the first of the list that is ready, until that node fails; then to the next ready
// one. A server that is a Galera node, named alone, gets the same connector (one node),
// so that it too is used only when ready and its reads are causal.

// splitNodes returns dsn with its address list replaced by the first address, and the
// list (nil when the DSN names one address). The address sits between the last "@"
// before the last "/" and that "/", as the driver reads it: "tcp(h1:1,h2:2)".
func splitNodes(dsn string) (string, []string, error) {
	slash := strings.LastIndex(dsn, "/")
	if slash < 0 {
		return dsn, nil, nil
	}
	at := strings.LastIndex(dsn[:slash], "@")
	netAddr := dsn[at+1 : slash]
	open := strings.Index(netAddr, "(")
	if open < 0 || !strings.HasSuffix(netAddr, ")") {
		return dsn, nil, nil
	}
	list := netAddr[open+1 : len(netAddr)-1]
	if !strings.Contains(list, ",") {
		return dsn, nil, nil
	}
	var addrs []string
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			return "", nil, errors.New("invalid DSN: an empty address in the node list (want tcp(host1:port,host2:port,...))")
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			a = net.JoinHostPort(strings.Trim(a, "[]"), "3306")
		}
		addrs = append(addrs, a)
	}
	start := at + 1 + open + 1
	return dsn[:start] + addrs[0] + dsn[start+len(list):], addrs, nil
}

// Nodes returns the addresses cfg lists: one for a single server, several for a
// cluster.
func Nodes(cfg *mysql.Config) []string {
	return strings.Split(cfg.Addr, ",")
}

// NoReadyNode is the error of a connection asked for when no node of the DSN is ready:
// each is unreachable, or a Galera node that is not ready (quorum lost, joining,
// donating). It passes: LoadBatch waits for a node to become ready (see Recover).
type NoReadyNode struct {
	Reasons []string // one per node: its address and why
}

func (e *NoReadyNode) Error() string {
	return "no MariaDB node ready (" + strings.Join(e.Reasons, "; ") + ")"
}

// cluster is the driver.Connector of a DB whose DSN lists nodes (or names one Galera
// node). Connect tries the current node first, then the others in the list's order,
// and keeps the first that answers and is ready (see nodeState) as the current node.
// Connections are tagged with a generation: when a node fails (recheck) or another
// node becomes current, the generation changes and the pool drops the older
// connections instead of reusing them, so that all the writes of a run go through one
// node at a time.
type cluster struct {
	addrs []string
	nodes []driver.Connector

	mu      sync.Mutex
	current int
	gen     uint64
	galera  bool // the current node is a Galera node
}

func newCluster(cfg *mysql.Config, addrs []string) (*cluster, error) {
	c := &cluster{addrs: addrs}
	for _, a := range addrs {
		nc := cfg.Clone()
		nc.Addr = a
		conn, err := mysql.NewConnector(nc)
		if err != nil {
			return nil, err
		}
		c.nodes = append(c.nodes, conn)
	}
	return c, nil
}

func (c *cluster) Driver() driver.Driver { return &mysql.MySQLDriver{} }

// Connect returns a connection to the current node if it is ready, else to the next
// ready node of the list, which becomes current. A server refusing the account or the
// database is an error at once (every node shares them); when no node is ready, the
// error is a *NoReadyNode.
func (c *cluster) Connect(ctx context.Context) (driver.Conn, error) {
	c.mu.Lock()
	start := c.current
	c.mu.Unlock()
	var reasons []string
	for i := range c.nodes {
		n := (start + i) % len(c.nodes)
		conn, err := c.nodes[n].Connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			var me *mysql.MySQLError
			if errors.As(err, &me) && refusedEverywhere[me.Number] {
				return nil, err
			}
			reasons = append(reasons, c.addrs[n]+": "+nodeReason(err))
			continue
		}
		galera, notReady, err := nodeState(ctx, conn)
		if err == nil && notReady == "" && galera {
			// Reads after a commit on another node could be stale without it: a batch's
			// marker looked up after a failover, validate right after a load.
			err = execConn(ctx, conn, "SET SESSION wsrep_sync_wait = 1")
		}
		if err != nil || notReady != "" {
			conn.Close()
			if err != nil {
				notReady = nodeReason(err)
			}
			reasons = append(reasons, c.addrs[n]+": "+notReady)
			continue
		}
		c.mu.Lock()
		if c.current != n {
			c.current = n
			c.gen++
		}
		c.galera = galera
		gen := c.gen
		c.mu.Unlock()
		return &nodeConn{Conn: conn, c: c, gen: gen}, nil
	}
	return nil, &NoReadyNode{Reasons: reasons}
}

// refusedEverywhere are the errors a node answers that the others would answer too:
// the account or the database is wrong, not the node.
var refusedEverywhere = map[uint16]bool{1044: true, 1045: true, 1049: true, 1698: true}

// nodeReason is why a node cannot be used, in a few words, without its address.
func nodeReason(err error) string { return lostCause(err) }

// recheck says that the current node may have failed (a connection lost, the node out
// of the primary component): the connections made so far are not reused, and the next
// one checks the node again, moving on to the next ready node if it is not ready.
func (c *cluster) recheck() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

func (c *cluster) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// addr is the current node's address.
func (c *cluster) addr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addrs[c.current]
}

// isGalera reports whether the current node is a Galera node.
func (c *cluster) isGalera() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.galera
}

// recheckNode is cluster.recheck for a DB connected through a cluster; it does nothing
// for one server.
func (db *DB) recheckNode() {
	if db.cluster != nil {
		db.cluster.recheck()
	}
}

// nodeState reads whether conn's server is a Galera node (wsrep on) and, if it is, why
// it is not ready ("" when wsrep_ready is ON and the node Synced). A server without
// wsrep is ready when it answers. Ping and SELECT 1 prove nothing here: a node out of
// the primary component answers them and refuses every table (Error 1047).
func nodeState(ctx context.Context, conn driver.Conn) (galera bool, notReady string, err error) {
	vals, err := queryConn(ctx, conn, "SELECT @@global.wsrep_on")
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1193 { // unknown system variable: no wsrep
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	if len(vals) == 0 || vals[0][0] != "1" {
		return false, "", nil
	}
	vals, err = queryConn(ctx, conn, "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state_comment')")
	if err != nil {
		return true, "", err
	}
	st := map[string]string{}
	for _, v := range vals {
		st[strings.ToLower(v[0])] = v[1]
	}
	if ready, state := st["wsrep_ready"], st["wsrep_local_state_comment"]; !strings.EqualFold(ready, "ON") || state != "Synced" {
		return true, fmt.Sprintf("not ready (wsrep_ready %s, state %s)", ready, state), nil
	}
	return true, "", nil
}

// queryConn runs q on a raw driver connection and returns its rows as text.
func queryConn(ctx context.Context, conn driver.Conn, q string) ([][]string, error) {
	qc, ok := conn.(driver.QueryerContext)
	if !ok {
		return nil, errors.New("driver connection cannot query")
	}
	rows, err := qc.QueryContext(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	var out [][]string
	for {
		if err := rows.Next(dest); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		row := make([]string, len(dest))
		for i, v := range dest {
			switch v := v.(type) {
			case []byte:
				row[i] = string(v)
			case nil:
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		out = append(out, row)
	}
}

// execConn runs q on a raw driver connection.
func execConn(ctx context.Context, conn driver.Conn, q string) error {
	ec, ok := conn.(driver.ExecerContext)
	if !ok {
		return errors.New("driver connection cannot execute")
	}
	_, err := ec.ExecContext(ctx, q, nil)
	return err
}

// nodeConn is a connection of a cluster, tagged with the generation it was made in: a
// connection of an older generation is dropped by the pool (IsValid, ResetSession)
// instead of reused. Everything else goes to the driver's connection.
type nodeConn struct {
	driver.Conn
	c   *cluster
	gen uint64
}

var (
	_ driver.ConnBeginTx        = (*nodeConn)(nil)
	_ driver.ConnPrepareContext = (*nodeConn)(nil)
	_ driver.ExecerContext      = (*nodeConn)(nil)
	_ driver.QueryerContext     = (*nodeConn)(nil)
	_ driver.Pinger             = (*nodeConn)(nil)
	_ driver.NamedValueChecker  = (*nodeConn)(nil)
	_ driver.SessionResetter    = (*nodeConn)(nil)
	_ driver.Validator          = (*nodeConn)(nil)
)

func (n *nodeConn) stale() bool { return n.c.generation() != n.gen }

func (n *nodeConn) IsValid() bool {
	if n.stale() {
		return false
	}
	if v, ok := n.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (n *nodeConn) ResetSession(ctx context.Context) error {
	if n.stale() {
		return driver.ErrBadConn
	}
	if r, ok := n.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (n *nodeConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := n.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return n.Conn.Begin() //nolint:staticcheck // the driver's fallback
}

func (n *nodeConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := n.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return n.Conn.Prepare(query)
}

func (n *nodeConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if e, ok := n.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (n *nodeConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := n.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (n *nodeConn) Ping(ctx context.Context) error {
	if p, ok := n.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (n *nodeConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := n.Conn.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// BatchFull reports whether b has grown as large as a transaction may on this
// cluster: Galera refuses a transaction over wsrep_max_ws_rows rows or
// wsrep_max_ws_size bytes (both read at Open) and rolls it back whole, so a run closes
// its batch before it gets there. It is false at once on a server without such limits.
// The count is an estimate (a row writes itself, its header rows, its list items and
// its stock movement; a rejection one row), kept under three quarters of the row limit
// and half of the byte limit; it costs only the rows added since the last call (the
// count so far is b.Estimate).
func (db *DB) BatchFull(b *store.Batch) bool {
	if db == nil {
		return false
	}
	wsRows, wsBytes := db.wsRows.Load(), db.wsBytes.Load()
	if wsRows <= 0 && wsBytes <= 0 {
		return false
	}
	e := b.Entity
	perRow := int64(1 + len(e.Headers))
	if e.AfterLoad != "" {
		perRow++
	}
	lineage := int64(len(b.File) + len(b.RunID) + 96) // lineage, fingerprint, keys
	ws := &b.Estimate
	if ws.Rows == 0 {
		ws.Rows = 2 // the batch's marker and its file's journal row
		ws.Bytes = 512
	}
	add := func(rows []store.Row) {
		for _, r := range rows {
			var size int64
			for _, v := range r.Values {
				size += int64(len(v)) + 2
			}
			n := perRow
			for _, l := range e.Lists {
				if v := r.Values[e.Index(l.Column)]; v != "" {
					items := int64(strings.Count(v, "|") + 1)
					n += items
					size += items * lineage
				}
			}
			ws.Rows += n
			ws.Bytes += size + perRow*lineage
		}
	}
	if ws.CountedRows < len(b.Rows) {
		add(b.Rows[ws.CountedRows:])
		ws.CountedRows = len(b.Rows)
	}
	for _, r := range b.Rejections[min(ws.CountedRejections, len(b.Rejections)):] {
		ws.Rows++
		ws.Bytes += int64(len(r.Raw)+len(r.Detail)+len(r.Codes)) + lineage
	}
	ws.CountedRejections = len(b.Rejections)
	upd := int64(len(b.Updates)) * perRow * 2 // replaced rows count twice (before, after)
	return (wsRows > 0 && ws.Rows+upd >= wsRows*3/4) || (wsBytes > 0 && ws.Bytes+upd*256 >= wsBytes/2)
}

// readLimits reads the Galera write-set limits into db, for BatchFull.
func (db *DB) readLimits(ctx context.Context) error {
	var rows, bytes int64
	if err := db.pool.QueryRowContext(ctx, "SELECT @@wsrep_max_ws_rows, @@wsrep_max_ws_size").Scan(&rows, &bytes); err != nil {
		return err
	}
	db.wsRows.Store(rows)
	db.wsBytes.Store(bytes)
	return nil
}
