package mariadb

import "github.com/jmoiron/sqlx"

// Pool gives the tests of this folder the pool behind db, to write and read rows behind
// the store's back; callers outside the package have only DB's methods.
func (db *DB) Pool() *sqlx.DB { return db.pool }
