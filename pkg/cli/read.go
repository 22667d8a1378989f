package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"dmt/pkg/mariadb"
	"dmt/pkg/redact"
	"dmt/pkg/store"
)

// ReadRun is the database of a run of a program that only reads it (validate,
// analyse_stock, export_sql, rapport), opened and checked, and the run's names. One
// definition, so that these programs open, name and refuse a database alike.
type ReadRun struct {
	DB      *mariadb.DB
	Domain  string    // the database's domain
	Where   string    // the database for people: address/name, never the password
	Started time.Time // when the run began (it names the run and its reports)
	ID      string    // the run id
}

// OpenRead starts a run that reads the database dsn names: it opens it and checks that
// it belongs to domain and that its schema is exactly the one this program knows, so a
// read-only program never runs DDL. domain "" takes the domain the database records,
// and refuses a database that records none (not one of the toolkit). Each refusal is
// an error naming the database; the connection is then closed. The caller closes
// r.DB.
func OpenRead(ctx context.Context, dsn, domain string) (r *ReadRun, err error) {
	started := time.Now()
	db, err := mariadb.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	r = &ReadRun{DB: db, Domain: domain, Where: db.Describe(), Started: started, ID: NewRunID(started)}
	if domain == "" {
		if r.Domain, err = db.DatabaseDomain(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Where, err)
		}
		if r.Domain == "" {
			return nil, fmt.Errorf("%s: no domain recorded: not a database of the toolkit", r.Where)
		}
	}
	if err := db.CheckReadable(ctx, r.Domain); err != nil {
		return nil, err
	}
	return r, nil
}

// Record writes the run into the journal as running: tool, the domain, this machine and
// args with their passwords masked. Its error is the store's, unchanged (mariadb.IsDenied
// tells an account that may not write the journal).
func (r *ReadRun) Record(ctx context.Context, tool string, args []string) error {
	host, _ := os.Hostname()
	return r.DB.StartRun(ctx, store.Run{ID: r.ID, Tool: tool, Domain: r.Domain, Host: host, Args: strings.Join(redact.Args(args), " ")})
}
