#!/usr/bin/env bash
# test.sh: the one test command. gofmt, go vet, then every test (race detector on)
# against a real MariaDB: MARIADB_TEST_DSN when set, else the private server of
# scripts/mariadb-local.sh, started here and stopped on exit if this script started it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.mariadb-local/*'))
if [ -n "$unformatted" ]; then
	echo "test.sh: gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...

# export_sql runs the real mariadb-dump and mariadb client (Debian's mariadb-client).
if ! command -v mariadb-dump >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y mariadb-client >&2
	else
		echo "test.sh: mariadb-dump is missing: sudo apt-get install mariadb-client" >&2
		exit 1
	fi
fi

if [ -z "${MARIADB_TEST_DSN:-}" ]; then
	if ! scripts/mariadb-local.sh status >/dev/null 2>&1; then
		trap 'scripts/mariadb-local.sh stop' EXIT
	fi
	MARIADB_TEST_DSN=$(scripts/mariadb-local.sh start)
	export MARIADB_TEST_DSN
fi
echo "test.sh: MariaDB for tests at ${MARIADB_TEST_DSN%%@*}@${MARIADB_TEST_DSN#*@}" >&2
go test -race -count=1 "$@" ./...
