module dmt

go 1.26.0

require (
	github.com/go-sql-driver/mysql v1.10.1
	golang.org/x/text v0.43.0
)

require (
	filippo.io/edwards25519 v1.2.0 // indirect
	github.com/jmoiron/sqlx v1.4.0 // indirect
)
