package mariadbtest

import (
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// Cut says where Proxy breaks a connection that sends the armed COMMIT.
type Cut int

const (
	// AfterCommit forwards the COMMIT, waits for the server's answer and closes both
	// sides instead of relaying it: the transaction is committed, the client sees a
	// broken connection.
	AfterCommit Cut = iota + 1
	// BeforeCommit closes both sides instead of forwarding the COMMIT: the server rolls
	// the transaction back, the client sees a broken connection.
	BeforeCommit
	// HoldCommit never forwards the COMMIT and never answers, the connection left open:
	// a server that stalls, as a Galera cluster whose view change never completes does;
	// the transaction is not committed.
	HoldCommit
	// HoldAnswer forwards the COMMIT and never relays the answer, the connection left
	// open: the transaction is committed, the client waits.
	HoldAnswer
)

func (c Cut) String() string {
	switch c {
	case AfterCommit:
		return "after commit"
	case BeforeCommit:
		return "before commit"
	case HoldCommit:
		return "commit never answered"
	case HoldAnswer:
		return "answer to commit held"
	}
	return "no cut"
}

// Proxy forwards TCP connections to a MariaDB server and breaks the one that sends a
// chosen COMMIT, so that tests can show what a client does when its connection is lost
// with COMMIT in flight: the moment a real network or server failure leaves to chance.
// It reads the client's side of the MySQL protocol (packets of a 3-byte little-endian
// length and a sequence number; a command starts at sequence 0, COM_QUERY is 0x03
// followed by the text) and copies the server's side untouched. It works for clients
// without TLS or compression, the go-sql-driver default.
type Proxy struct {
	ln              net.Listener
	network, target string

	mu       sync.Mutex
	armed    int // cut at the armed-th COMMIT from the arming (0: none)
	how      Cut
	goneThen bool // after the cut, refuse every connection (the server is gone)
	gone     bool
	commits  int
	cuts     int
	conns    map[net.Conn]bool
}

// NewProxy starts a proxy to the server of dsn and returns it with dsn rewritten to go
// through it. It stops when the test ends.
func NewProxy(tb testing.TB, dsn string) (*Proxy, string) {
	tb.Helper()
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("proxy: parse DSN: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("proxy: %v", err)
	}
	p := &Proxy{ln: ln, network: cfg.Net, target: cfg.Addr, conns: map[net.Conn]bool{}}
	go p.accept()
	tb.Cleanup(p.Close)
	cfg.Net, cfg.Addr = "tcp", ln.Addr().String()
	return p, cfg.FormatDSN()
}

// CutAt arms the proxy: the n-th COMMIT from now (1 is the next one) is cut as how says.
// With thenGone, the proxy then closes every connection and refuses new ones, like a
// server that does not come back.
func (p *Proxy) CutAt(n int, how Cut, thenGone bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed, p.how, p.goneThen = n, how, thenGone
}

// Commits returns how many COMMITs clients sent through the proxy, cut ones included.
func (p *Proxy) Commits() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.commits
}

// Cuts returns how many connections the proxy cut at a COMMIT.
func (p *Proxy) Cuts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cuts
}

// Close stops the proxy and closes its connections.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.gone = true
	for c := range p.conns {
		c.Close()
	}
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

// track records c as open; it returns false, having closed c, when the proxy is gone.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.gone {
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(p.conns, c)
	}
}

// commit counts a COMMIT and says whether and how to cut it.
func (p *Proxy) commit() Cut {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.commits++
	if p.armed == 0 {
		return 0
	}
	p.armed--
	if p.armed > 0 {
		return 0
	}
	p.cuts++
	if p.goneThen {
		p.gone = true
	}
	return p.how
}

// goneNow closes every connection when the proxy is gone.
func (p *Proxy) goneNow() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.gone {
		return
	}
	for c := range p.conns {
		c.Close()
	}
}

func (p *Proxy) serve(client net.Conn) {
	if !p.track(client) {
		return
	}
	server, err := net.Dial(p.network, p.target)
	if err != nil || !p.track(server) {
		p.untrack(client)
		return
	}
	defer p.untrack(client, server)
	var cutAtAnswer, holdAnswers atomic.Bool
	go func() {
		defer p.untrack(client, server)
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 && cutAtAnswer.Load() {
				// The server answered the COMMIT: it is applied; the client never hears it.
				p.goneNow()
				return
			}
			if n > 0 && !holdAnswers.Load() {
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	hdr := make([]byte, 4)
	for {
		if _, err := io.ReadFull(client, hdr); err != nil {
			return
		}
		n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
		pkt := make([]byte, 4+n)
		copy(pkt, hdr)
		if _, err := io.ReadFull(client, pkt[4:]); err != nil {
			return
		}
		if hdr[3] == 0 && n > 1 && pkt[4] == 0x03 && strings.EqualFold(strings.TrimSpace(string(pkt[5:])), "COMMIT") {
			switch p.commit() {
			case BeforeCommit:
				p.goneNow()
				return
			case AfterCommit:
				cutAtAnswer.Store(true)
			case HoldCommit:
				// Until the client gives up and closes; the server then rolls back.
				io.Copy(io.Discard, client)
				return
			case HoldAnswer:
				holdAnswers.Store(true)
			}
		}
		if _, err := server.Write(pkt); err != nil {
			return
		}
	}
}
